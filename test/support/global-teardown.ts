/** Stops the run's PostgreSQL (testcontainers' reaper is off here: tests stop what they start). */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.authpairTestPostgres;
  globalThis.authpairTestPostgres = undefined;
  await server?.stop();
}
