/**
 * `npm run auth-admin -- <group> <command>`: the auth service's admin CLI
 * (its built entry point, run as a process) against the stack `npm start`
 * runs: its embedded PostgreSQL and the key-encryption keys and password
 * pepper in the data folder, unless DATABASE_URL, KEY_ENCRYPTION_KEYS and
 * PASSWORD_PEPPER are set, in which case those are used as they are.
 */
import { spawn } from 'node:child_process';
import { embeddedPostgresUrl } from './embedded-postgres';
import { existingLocalKeyEncryptionKeys, existingLocalPepper } from './local-secrets';
import { dataDir, ENTRY_POINTS } from './paths';

async function main(): Promise<number> {
  const env = { ...process.env };
  const data = dataDir(env);
  if (!env.DATABASE_URL)
    env.DATABASE_URL = embeddedPostgresUrl(Number(env.EMBEDDED_POSTGRES_PORT ?? '54329'));
  env.KEY_ENCRYPTION_KEYS ||= await existingLocalKeyEncryptionKeys(data);
  env.PASSWORD_PEPPER ||= await existingLocalPepper(data);
  // stdin too: `users create` asks for the password without echoing it.
  const child = spawn(process.execPath, [ENTRY_POINTS.authAdmin, ...process.argv.slice(2)], {
    env,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`auth-admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
