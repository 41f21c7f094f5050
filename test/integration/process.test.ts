import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { composeDefaultsWithoutOptIn } from '../support/compose-defaults';

const root = join(__dirname, '../..');

/** Runs a built entry point with a controlled environment; resolves its exit code and stderr. */
function run(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, entry)], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('configuration errors stop the process', () => {
  beforeAll(() => {
    // `npm test` builds first (npm run typecheck runs tsc -b); say so plainly if someone skipped it.
    if (!existsSync(join(root, 'services/auth/dist/main.js')))
      throw new Error('run `npm run build` first: this test starts the built services');
  });

  it('auth exits 78 naming each missing variable', async () => {
    const { code, stderr } = await run('services/auth/dist/main.js', {});
    expect(code).toBe(78);
    expect(stderr).toContain('DATABASE_URL: is required');
    expect(stderr).toContain('PASSWORD_PEPPER: is required');
  });

  it('resource exits 78 naming a malformed variable', async () => {
    const { code, stderr } = await run('services/resource/dist/main.js', {
      JWKS_URL: 'not a url',
      PORT: '99999',
    });
    expect(code).toBe(78);
    expect(stderr).toContain('JWKS_URL: must be an absolute http or https URL');
    expect(stderr).toContain('PORT: must be at most 65535');
  });

  it('auth and resource exit 78 on the public defaults of docker-compose.yml in production, naming each', async () => {
    const auth = await run('services/auth/dist/main.js', {
      ...composeDefaultsWithoutOptIn('auth'),
      NODE_ENV: 'production',
    });
    expect(auth.code).toBe(78);
    for (const variable of [
      'DATABASE_URL',
      'PASSWORD_PEPPER',
      'REVOCATION_FEED_TOKEN',
      'KEY_ENCRYPTION_KEYS',
    ])
      expect(auth.stderr).toContain(`${variable}: is a default published in this repository`);
    expect(auth.stderr).toContain('ALLOW_PUBLIC_SECRETS=true');

    const resource = await run('services/resource/dist/main.js', {
      ...composeDefaultsWithoutOptIn('resource'),
      NODE_ENV: 'production',
    });
    expect(resource.code).toBe(78);
    expect(resource.stderr).toContain(
      'REVOCATION_FEED_TOKEN: is a default published in this repository',
    );
  });
});
