import { Agent, request as httpRequest } from 'node:http';
import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import { freePort } from '../support/ports';
import {
  TEST_FEED_TOKEN,
  TEST_KEK,
  TEST_PEPPER,
  TEST_REFRESH_TOKEN_SECRET,
} from '../support/services';
import { FLOOD_ENV, registerUsers } from './auth-loads';
import { median } from './load';
import { type BenchPostgres, type StatementRow, startBenchPostgres } from './postgres';
import { type ServerProcess, startServer } from './process';
import type { FeedPhase } from './report';
import type { Settings } from './settings';
import { type Pinning, pinSelf, unpinSelf } from './system';

/**
 * N lightweight feed pollers against one auth replica, as N resource
 * replicas would poll it: each its own keep-alive connection and cursor
 * (opaque: handed back as `since`), reading pages back to back while
 * `has_more`, then waiting REVOCATION_POLL_INTERVAL_MS after each read, the
 * way RevocationList schedules itself. The replica runs alone on the server
 * core; the pollers on the harness's. Two phases: quiet, and with a burst
 * of revocations (sessions ended one by one, each its own transaction). Measured: auth CPU
 * per poll (/proc), PostgreSQL execution time per poll (pg_stat_statements),
 * and whether every poller saw every revocation, and when.
 */

/** RevocationList reads at most this many pages in one poll. */
const MAX_PAGES_PER_POLL = 20;

interface Poller {
  agent: Agent;
  cursor: string | undefined;
  seen: Set<string>;
  /** When (ms, performance.now) it first held every sid of the burst. */
  completeAt: number | undefined;
}

interface PollRecord {
  at: number;
  ms: number;
  ok: boolean;
  revocations: number;
}

function get(agent: Agent, url: URL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        agent,
        headers: { accept: 'application/json', authorization: `Bearer ${TEST_FEED_TOKEN}` },
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

interface FeedPage {
  revocations: Array<{ sid: string }>;
  cursor: string;
  has_more: boolean;
}

/** One poll: pages until `has_more` is false, as the resource service reads them. */
async function poll(
  authUrl: string,
  poller: Poller,
): Promise<{ ok: boolean; revocations: number }> {
  let revocations = 0;
  for (let page = 0; page < MAX_PAGES_PER_POLL; page += 1) {
    const url = new URL(REVOCATION_FEED_PATH, authUrl);
    if (poller.cursor !== undefined) url.searchParams.set('since', poller.cursor);
    const response = await get(poller.agent, url);
    if (response.status !== 200) return { ok: false, revocations };
    const body = JSON.parse(response.body) as FeedPage;
    for (const { sid } of body.revocations) poller.seen.add(sid);
    revocations += body.revocations.length;
    poller.cursor = body.cursor;
    if (!body.has_more) return { ok: true, revocations };
  }
  return { ok: true, revocations };
}

/** Statements of the feed: those run about once per poll while nothing else happens. */
function feedStatements(rows: StatementRow[], polls: number): Set<string> {
  return new Set(rows.filter((row) => row.calls >= polls * 0.5).map((row) => row.queryid));
}

function phaseOf(
  name: string,
  records: PollRecord[],
  seconds: number,
  pollers: number,
  cpuSeconds: number,
  cpuPolls: number,
  statements: StatementRow[],
  feedIds: Set<string>,
): Omit<FeedPhase, 'revocations' | 'complete' | 'propagationMs'> {
  const feed = statements.filter((row) => feedIds.has(row.queryid));
  const calls = Math.max(1, records.length);
  return {
    phase: name,
    pollers,
    polls: records.length,
    pollsPerSecond: records.length / seconds,
    authCpuUsPerPoll: (cpuSeconds / Math.max(1, cpuPolls)) * 1e6,
    authCpuShare: cpuSeconds / seconds,
    pgMsPerPoll: feed.reduce((sum, row) => sum + row.totalMs, 0) / calls,
    rowsPerPoll: records.reduce((sum, r) => sum + r.revocations, 0) / calls,
    p50: median(records.map((r) => r.ms)),
    p99:
      [...records.map((r) => r.ms)].sort((a, b) => a - b)[Math.floor(records.length * 0.99)] ??
      Number.NaN,
    failures: records.filter((r) => !r.ok).length,
  };
}

/** A signed-in user and sessions of theirs to end: one login, the rest copies of its session. */
interface Sessions {
  accessToken: string;
  ids: string[];
}

/**
 * `count` live sessions of one user, to end in a burst. One real login
 * (bcrypt at cost 10 on a busy machine is seconds, hundreds of them would
 * be the whole run); the others are copies of its session, each with a
 * live refresh token, written with the statements the service itself
 * uses (session-queries.ts), so ending them is the service's real path.
 */
async function openSessions(
  authUrl: string,
  postgres: BenchPostgres,
  count: number,
  name: string,
): Promise<Sessions> {
  const [user] = await registerUsers(authUrl, name, 1);
  const response = await fetch(`${authUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  const accessToken = ((await response.json()) as { access_token: string }).access_token;
  const sid = (
    JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()) as {
      sid: string;
    }
  ).sid;
  const rows = await postgres.query<{ id: string }>(
    `WITH copies AS (
       INSERT INTO sessions (user_id, expires_at, client_address, user_agent)
       SELECT s.user_id, s.expires_at, s.client_address, s.user_agent
         FROM sessions s, generate_series(1, $2) WHERE s.id = $1
       RETURNING id, expires_at
     ), tokens AS (
       INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
       SELECT id, sha256(convert_to(id::text, 'UTF8')), expires_at FROM copies
     )
     SELECT id FROM copies`,
    [sid, count],
  );
  return { accessToken, ids: rows.map((row) => row.id) };
}

/** Ends each session (DELETE /sessions/:id, each its own transaction), ten at a time. */
async function endAll(authUrl: string, sessions: Sessions): Promise<string[]> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < sessions.ids.length) {
        const id = sessions.ids[next] as string;
        next += 1;
        const response = await fetch(`${authUrl}/sessions/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${sessions.accessToken}` },
        });
        if (response.status !== 204)
          throw new Error(`DELETE /sessions answered ${response.status}`);
      }
    }),
  );
  return sessions.ids;
}

/** One population of pollers against the replica: quiet, then a burst of ended sessions. */
async function pollerPhases(
  context: {
    authUrl: string;
    auth: ServerProcess;
    postgres: BenchPostgres;
    settings: Settings;
    idleShare: number;
    log: (message: string) => void;
  },
  count: number,
  sessions: Sessions,
): Promise<FeedPhase[]> {
  const { authUrl, auth, postgres, idleShare, log } = context;
  const { pollIntervalMs, phaseSeconds } = context.settings.feed;
  const records: PollRecord[] = [];
  const pollers: Poller[] = Array.from({ length: count }, () => ({
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
    cursor: undefined,
    seen: new Set<string>(),
    completeAt: undefined,
  }));
  let running = true;
  // Each poller's first read, then one every interval after the previous ended,
  // starting spread over one interval as independent replicas would.
  const loops = pollers.map(async (poller, index) => {
    await new Promise((resolve) => setTimeout(resolve, (index * pollIntervalMs) / count));
    while (running) {
      const at = performance.now();
      let result = { ok: false, revocations: 0 };
      try {
        result = await poll(authUrl, poller);
      } catch {
        // counted as a failed poll
      }
      records.push({ at, ms: performance.now() - at, ...result });
      if (running) await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  });
  try {
    // Settle: every poller has read the feed from the start once.
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs * 2));
    const phases: FeedPhase[] = [];

    // Quiet: nothing is revoked.
    await postgres.resetStatements();
    let started = performance.now();
    let cpuStart = auth.cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, phaseSeconds * 1000));
    let seconds = (performance.now() - started) / 1000;
    let cpu = auth.cpuSeconds() - cpuStart - idleShare * seconds;
    let inPhase = records.filter((r) => r.at >= started);
    const quietStatements = await postgres.statements();
    const feedIds = feedStatements(quietStatements, inPhase.length);
    phases.push({
      ...phaseOf(
        `${count} pollers, quiet`,
        inPhase,
        seconds,
        count,
        cpu,
        inPhase.length,
        quietStatements,
        feedIds,
      ),
      revocations: 0,
      complete: true,
      propagationMs: 0,
    });
    log(
      `feed: ${count} pollers, quiet: ${inPhase.length} polls, ${((cpu / Math.max(1, inPhase.length)) * 1e6).toFixed(0)} µs auth CPU per poll`,
    );

    // Burst: sessions end (DELETE /sessions/:id), each in its own transaction.
    await postgres.resetStatements();
    started = performance.now();
    cpuStart = auth.cpuSeconds();
    const windowCpuStart = auth.cpuSeconds();
    const sids = await endAll(authUrl, sessions);
    const lastCommit = performance.now();
    const windowCpu = auth.cpuSeconds() - windowCpuStart;
    // Until the phase's end, and at least three intervals after the last session ended.
    const end = Math.max(started + phaseSeconds * 1000, lastCommit + 3 * pollIntervalMs);
    while (performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const poller of pollers)
        if (poller.completeAt === undefined && sids.every((sid) => poller.seen.has(sid)))
          poller.completeAt = performance.now();
    }
    seconds = (performance.now() - started) / 1000;
    cpu = auth.cpuSeconds() - cpuStart - idleShare * seconds;
    inPhase = records.filter((r) => r.at >= started);
    const outsideWindow = inPhase.filter((r) => r.at > lastCommit);
    const complete = pollers.every((poller) => poller.completeAt !== undefined);
    const propagation = Math.max(...pollers.map((p) => (p.completeAt ?? Number.NaN) - lastCommit));
    phases.push({
      ...phaseOf(
        `${count} pollers, ${sids.length} sessions ended`,
        inPhase,
        seconds,
        count,
        // Ending the sessions (a token check and a transaction each) is not the feed's work.
        cpu - windowCpu,
        outsideWindow.length,
        await postgres.statements(),
        feedIds,
      ),
      revocations: sids.length,
      complete,
      propagationMs: complete ? Math.max(0, propagation) : Number.NaN,
    });
    log(
      `feed: ${count} pollers, burst of ${sids.length}: ${inPhase.length} polls, every poller saw every one: ${complete}, after ${propagation.toFixed(0)} ms`,
    );
    return phases;
  } finally {
    running = false;
    await Promise.all(loops);
    for (const poller of pollers) poller.agent.destroy();
  }
}

export async function feedSimulation({
  settings,
  pinning,
  log,
}: {
  settings: Settings;
  pinning: Pinning;
  log: (message: string) => void;
}): Promise<FeedPhase[]> {
  const { pollers: populations, phaseSeconds, burst } = settings.feed;
  let postgres: BenchPostgres | undefined;
  let auth: ServerProcess | undefined;
  try {
    postgres = await startBenchPostgres();
    const port = await freePort();
    auth = await startServer({
      name: 'auth replica',
      args: ['services/auth/dist/main.js'],
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: postgres.url,
        PASSWORD_PEPPER: TEST_PEPPER,
        REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
        REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
        KEY_ENCRYPTION_KEYS: TEST_KEK,
        BCRYPT_COST: '10',
        LOG_LEVEL: 'info',
        ...FLOOD_ENV,
      },
      port,
      core: { pinning, core: pinning.serverCore },
    });
    const authUrl = auth.url;
    log(`feed: opening ${burst} sessions per population to end later`);
    const populationSessions: Sessions[] = [];
    for (const [index] of populations.entries())
      populationSessions.push(await openSessions(authUrl, postgres, burst, `feed${index}`));

    pinSelf(pinning, pinning.generatorCore);
    // The replica's own background work (key refresh, metrics, timers), with no poller:
    // subtracted from each phase, so a poll's figure is the poll's.
    const baselineSeconds = Math.max(2, phaseSeconds / 3);
    const baselineStart = auth.cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, baselineSeconds * 1000));
    const idleShare = (auth.cpuSeconds() - baselineStart) / baselineSeconds;
    const phases: FeedPhase[] = [
      {
        phase: 'no pollers (the replica idle)',
        pollers: 0,
        polls: 0,
        pollsPerSecond: 0,
        authCpuUsPerPoll: Number.NaN,
        authCpuShare: idleShare,
        pgMsPerPoll: Number.NaN,
        rowsPerPoll: Number.NaN,
        p50: Number.NaN,
        p99: Number.NaN,
        failures: 0,
        revocations: 0,
        complete: true,
        propagationMs: 0,
      },
    ];
    const context = { authUrl, auth, postgres, settings, idleShare, log };
    for (const [index, count] of populations.entries())
      phases.push(...(await pollerPhases(context, count, populationSessions[index] as Sessions)));
    return phases;
  } finally {
    unpinSelf(pinning);
    await auth?.stop();
    await postgres?.stop();
  }
}
