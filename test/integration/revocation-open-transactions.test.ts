import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { Client } from 'pg';
import { dockerAvailable, POSTGRES_IMAGE } from '../support/docker';
import { bearer, eventually, registerAndLogin, request } from '../support/http';
import { type RunningPair, useServices } from '../support/services';

/**
 * Revocation whatever else runs on the PostgreSQL server: another
 * application's transaction, an operator's open psql, a long migration or
 * purge batch. A write transaction held open for 30 s, first in another
 * database of the server and then in the auth service's own, must not
 * delay a logout at the resource service beyond a poll interval and a read.
 *
 * This file has a PostgreSQL server of its own: an open transaction is
 * server-wide (its id holds back every snapshot's xmin), and a feed bounded
 * by that xmin would stall every other test file sharing the server.
 */

const docker = dockerAvailable();
if (!docker)
  process.stderr.write(
    '\n[revocation] SKIPPING the open-transaction test: it needs a PostgreSQL container of its own.\n\n',
  );
const describeWithDocker = docker ? describe : describe.skip;

const POLL_INTERVAL_MS = 1000; // REVOCATION_POLL_INTERVAL_MS default
const REFUSED_WITHIN_MS = POLL_INTERVAL_MS + 2000;
const HOLD_MS = 30_000;
/** When, after the transaction opened, a user logs out (the issue saw 200s at +2 s, +12 s, +30 s). */
const LOGOUTS_AT_MS = [1000, 12_000, 25_000];

let server: StartedPostgreSqlContainer | undefined;
const services = useServices({ auth: false });
let pair: RunningPair | undefined;
const urls = { app: '', other: '' };

function databaseUrl(name: string): string {
  const url = new URL((server as StartedPostgreSqlContainer).getConnectionUri());
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(url: string, sql: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of sql) await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (!docker) return;
  server = await new PostgreSqlContainer(POSTGRES_IMAGE)
    .withUsername('postgres')
    .withPassword('postgres')
    .withDatabase('postgres')
    .start();
  await onServer(server.getConnectionUri(), ['CREATE DATABASE app', 'CREATE DATABASE other_app']);
  urls.app = databaseUrl('app');
  urls.other = databaseUrl('other_app');
  // A table an operator or another application writes to, in each database.
  for (const url of [urls.app, urls.other])
    await onServer(url, ['CREATE TABLE operator_notes (note text)']);
  pair = await services.startPair(
    { resource: { REVOCATION_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) } },
    { databaseUrl: urls.app },
  );
}, 120_000);

// useServices' afterAll, declared first, runs first: the pair stops before its server.
afterAll(async () => {
  await server?.stop();
}, 60_000);

function running(): RunningPair {
  if (pair === undefined) throw new Error('the pair did not start');
  return pair;
}

const protectedCall = (token: string) =>
  request(`${running().resource.url}/protected`, { headers: bearer(token) });

/** Logs a fresh user in and out; resolves how long the resource service kept accepting the token. */
async function logoutReachesResource(): Promise<number> {
  const { token } = await registerAndLogin(running().auth.url);
  expect((await protectedCall(token)).status).toBe(200);
  const logout = await request(`${running().auth.url}/logout`, {
    method: 'POST',
    headers: bearer(token),
  });
  expect(logout.status).toBe(204);
  const loggedOutAt = Date.now();
  const refused = await eventually(
    () => protectedCall(token),
    (response) => response.status !== 200,
    {
      timeoutMs: REFUSED_WITHIN_MS,
      intervalMs: 50,
      what: 'the logged-out token being refused at the resource service',
    },
  );
  expect(refused.status).toBe(401);
  return Date.now() - loggedOutAt;
}

/** Runs `work` while a write transaction stays open in the database at `url`, then rolls it back. */
async function withOpenWriteTransaction<T>(url: string, work: () => Promise<T>): Promise<T> {
  const holder = new Client({ connectionString: url, application_name: 'operator-psql' });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO operator_notes VALUES ('looking into something')`);
    return await work();
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
  }
}

describeWithDocker.each([
  ['another database on the server', () => urls.other],
  ["the auth service's own database", () => urls.app],
])('with a write transaction open for 30 s in %s', (_where, url) => {
  it(`refuses a logged-out token at the resource service within ${REFUSED_WITHIN_MS} ms, and stays ready`, async () => {
    const openedAt = Date.now();
    const delays = await withOpenWriteTransaction(url(), async () => {
      const seen: number[] = [];
      // The waits are the scenario's timeline (a transaction open for 30 s, logouts
      // along it), not a stand-in for a condition: there is nothing to wait for.
      for (const at of LOGOUTS_AT_MS) {
        const wait = openedAt + at - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        seen.push(await logoutReachesResource());
        const ready = await request(`${running().resource.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(ready.body.checks.revocations).toMatchObject({ list: 'current' });
      }
      const hold = openedAt + HOLD_MS - Date.now();
      if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
      return seen;
    });
    console.info(`logout refused at the resource service after ${delays.join(', ')} ms`);
  }, 60_000);
});
