import { join, resolve } from 'node:path';

/** The repository's root (this file is packages/local-stack/{src,dist}/paths). */
export const ROOT = resolve(__dirname, '../../..');

/**
 * Where `npm start` keeps its embedded PostgreSQL data and development
 * secrets: `.data/` in the checkout (ignored by git) unless
 * `AUTHPAIR_DATA_DIR` says otherwise (a test, or a checkout other users
 * cannot enter; see embedded-postgres.ts).
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AUTHPAIR_DATA_DIR ? resolve(env.AUTHPAIR_DATA_DIR) : join(ROOT, '.data');
}

/**
 * The built entry points the stack runs. Only paths: this package runs
 * the services as processes and imports none of their code, so packages/
 * keeps depending on nothing in services/.
 */
export const ENTRY_POINTS = {
  auth: join(ROOT, 'services/auth/dist/main.js'),
  resource: join(ROOT, 'services/resource/dist/main.js'),
  web: join(ROOT, 'services/web/dist/main.js'),
  authAdmin: join(ROOT, 'services/auth/dist/cli/main.js'),
} as const;
