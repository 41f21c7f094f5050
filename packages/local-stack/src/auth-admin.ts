#!/usr/bin/env node
/**
 * `npm run auth-admin -- <group> <command>`: the auth service's admin CLI
 * against the stack `npm start` runs (its embedded PostgreSQL and the
 * key-encryption keys and password pepper in .data/), unless DATABASE_URL,
 * KEY_ENCRYPTION_KEYS and PASSWORD_PEPPER are set, in which case those are
 * used as they are.
 */
import { processSecretReader, runAuthAdmin } from '@authpair/auth';
import { embeddedPostgresUrl } from './embedded-postgres';
import { existingLocalKeyEncryptionKeys, existingLocalPepper } from './local-secrets';

async function main(): Promise<number> {
  const env = { ...process.env };
  if (!env.DATABASE_URL)
    env.DATABASE_URL = embeddedPostgresUrl(Number(env.EMBEDDED_POSTGRES_PORT ?? '54329'));
  if (!env.KEY_ENCRYPTION_KEYS) {
    const local = await existingLocalKeyEncryptionKeys();
    if (local !== undefined) env.KEY_ENCRYPTION_KEYS = local;
  }
  if (!env.PASSWORD_PEPPER) {
    const local = await existingLocalPepper();
    if (local !== undefined) env.PASSWORD_PEPPER = local;
  }
  return runAuthAdmin(process.argv.slice(2), {
    env,
    stdout: (chunk) => process.stdout.write(chunk),
    stderr: (chunk) => process.stderr.write(chunk),
    readSecret: processSecretReader(),
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
