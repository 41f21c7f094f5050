import { startTestPostgres, type TestPostgres } from './postgres-server';

declare global {
  // Shared between the projects' setup and teardown, which run in one process.
  var authpairTestPostgres: TestPostgres | undefined;
}

/** Starts the run's PostgreSQL once for every project that needs it; workers read its URL from the env. */
export default async function globalSetup(): Promise<void> {
  if (globalThis.authpairTestPostgres !== undefined) return;
  const server = await startTestPostgres();
  globalThis.authpairTestPostgres = server;
  process.env.AUTHPAIR_TEST_ADMIN_URL = server.url;
  process.stdout.write(`\n[authpair] PostgreSQL for this run: ${server.kind}\n`);
}
