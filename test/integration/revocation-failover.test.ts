import type { RunningAuthService } from '@authpair/auth';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { Client } from 'pg';
import { Wait } from 'testcontainers';
import { dockerAvailable, POSTGRES_IMAGE } from '../support/docker';
import { bearer, claimsOf, eventually, registerAndLogin, request } from '../support/http';
import { startAuth, TEST_FEED_TOKEN } from '../support/services';

/**
 * The revocation feed across a failover to a replica that was behind.
 *
 * The feed's positions are transaction ids, and a promoted replica hands out
 * again the ids the old primary used for the transactions it never
 * replicated. A resource service holding a cursor from the old primary must
 * not skip the revocations the new primary commits under those ids, even
 * when its counter has passed the cursor by the next poll (the case a
 * "cursor from the future" check cannot see).
 *
 * This is a real promotion, not a mock: the container runs the primary and,
 * beside it, a streaming replica made with pg_basebackup. The replica is
 * stopped (asynchronous replication falling behind), the primary goes on
 * committing and the reader's cursor moves past everything the replica has,
 * then the replica is cut off from the primary and promoted (a new
 * timeline, the same system identifier), as a failover manager would.
 */

const docker = dockerAvailable();
if (!docker)
  process.stderr.write(
    '\n[revocation] SKIPPING the failover test: it needs a PostgreSQL container to replicate and promote.\n\n',
  );
const describeWithDocker = docker ? describe : describe.skip;

const REPLICA_PORT = 5433;
const REPLICA_DIR = '/tmp/replica';
/** The server binaries: on PATH in the official image, under /usr/lib/postgresql in Debian's. */
const PG_PATH = 'export PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)"';

let container: StartedPostgreSqlContainer | undefined;
const services: RunningAuthService[] = [];

function started(): StartedPostgreSqlContainer {
  if (container === undefined) throw new Error('the container did not start');
  return container;
}

/** Runs a shell script in the container as the postgres user; fails the test on a non-zero exit. */
async function shell(script: string): Promise<string> {
  const result = await started().exec(['sh', '-c', `${PG_PATH}; set -e; ${script}`], {
    user: 'postgres',
  });
  if (result.exitCode !== 0)
    throw new Error(`container script failed (${result.exitCode}): ${script}\n${result.output}`);
  return result.output;
}

function replicaUrl(): string {
  const url = new URL(started().getConnectionUri());
  url.port = String(started().getMappedPort(REPLICA_PORT));
  return url.toString();
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Commits `count` transactions that each take a transaction id, as any write would. */
async function takeTransactionIds(url: string, count: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let index = 0; index < count; index += 1)
      await client.query('SELECT pg_current_xact_id()');
  } finally {
    await client.end();
  }
}

/** The next transaction id the server will hand out. */
async function nextTransactionId(url: string): Promise<bigint> {
  const [row] = await query<{ next: string }>(
    url,
    'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next',
  );
  return BigInt(row?.next ?? '0');
}

const feed = (auth: RunningAuthService, since?: string) =>
  request(
    `${auth.url}/internal/revocations${since === undefined ? '' : `?since=${encodeURIComponent(since)}`}`,
    { headers: bearer(TEST_FEED_TOKEN) },
  );

/** Reads the feed to its end from `since`, as a resource service does; the sids seen and the cursor. */
async function readToEnd(
  auth: RunningAuthService,
  since?: string,
): Promise<{ sids: string[]; cursor: string }> {
  const sids: string[] = [];
  let cursor = since;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await feed(auth, cursor);
    expect(page.status).toBe(200);
    sids.push(...page.body.revocations.map((revocation: { sid: string }) => revocation.sid));
    cursor = page.body.cursor as string;
    if (!page.body.has_more) return { sids, cursor };
  }
  throw new Error('the feed never ended');
}

describeWithDocker('the revocation feed after a failover to a replica that was behind', () => {
  beforeAll(async () => {
    container = await new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('authpair')
      .withExposedPorts(REPLICA_PORT)
      // Not the default wait, which also waits for the replica's port to listen.
      .withWaitStrategy(Wait.forHealthCheck())
      .start();
  }, 120_000);

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop(1000);
    await container?.stop();
  }, 60_000);

  it('publishes a revocation the promoted replica commits under a transaction id the old cursor had passed', async () => {
    const primaryUrl = started().getConnectionUri();
    const primary = await startAuth(primaryUrl);
    services.push(primary);
    // A user whose session both servers know: it logs out after the failover.
    const victim = await registerAndLogin(primary.url);
    const victimSid = claimsOf(victim.token).sid as string;

    // The replica, streaming from the primary until it has all of the above…
    await shell(
      `pg_basebackup -D ${REPLICA_DIR} -R -X stream -c fast -h /var/run/postgresql -U postgres && ` +
        `pg_ctl -D ${REPLICA_DIR} -l ${REPLICA_DIR}.log -w ` +
        `-o "-p ${REPLICA_PORT} -c listen_addresses='*' -c unix_socket_directories=/tmp" start`,
    );
    const [{ lsn } = { lsn: '' }] = await query<{ lsn: string }>(
      primaryUrl,
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    await eventually(
      () =>
        query<{ caught_up: boolean }>(
          replicaUrl(),
          `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS caught_up`,
        ),
      (rows) => rows[0]?.caught_up === true,
      { what: 'the replica replaying the primary' },
    );
    // …then falling behind: what the primary commits from here on is lost in the failover.
    await shell(`pg_ctl -D ${REPLICA_DIR} -m fast -w stop`);

    // The resource service keeps reading the primary, whose counter moves on.
    const { cursor: beforeLoss } = await readToEnd(primary);
    const other = await registerAndLogin(primary.url);
    await request(`${primary.url}/logout`, { method: 'POST', headers: bearer(other.token) });
    await takeTransactionIds(primaryUrl, 50);
    const { cursor } = await readToEnd(primary, beforeLoss);
    const primaryNext = await nextTransactionId(primaryUrl);
    await primary.stop(1000);
    services.pop();

    // Failover: the replica, cut off from the old primary, is promoted.
    await shell(
      `sed -i '/primary_conninfo/d' ${REPLICA_DIR}/postgresql.auto.conf && ` +
        `pg_ctl -D ${REPLICA_DIR} -l ${REPLICA_DIR}.log -w ` +
        `-o "-p ${REPLICA_PORT} -c listen_addresses='*' -c unix_socket_directories=/tmp" start && ` +
        `pg_ctl -D ${REPLICA_DIR} -w promote`,
    );
    const promoted = await startAuth(replicaUrl());
    services.push(promoted);
    // The new primary reuses transaction ids below the reader's cursor…
    expect(await nextTransactionId(replicaUrl())).toBeLessThan(primaryNext);
    const logout = await request(`${promoted.url}/logout`, {
      method: 'POST',
      headers: bearer(victim.token),
    });
    expect(logout.status).toBe(204);
    // …and passes the cursor before the resource service polls again.
    const behind = primaryNext - (await nextTransactionId(replicaUrl()));
    await takeTransactionIds(replicaUrl(), Number(behind) + 5);
    expect(await nextTransactionId(replicaUrl())).toBeGreaterThan(primaryNext);

    const { sids } = await readToEnd(promoted, cursor);
    expect(sids).toContain(victimSid);
  }, 120_000);
});
