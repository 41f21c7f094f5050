import { docker } from '../support/compose';
import { bearer, eventually, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { type Outcome, type RunningLoad, startLoad } from '../support/load';
import { type Replica, ReplicaStack } from '../support/replica-stack';

/**
 * 2 auth and 3 resource replicas of the real images behind HAProxy
 * (deploy/compose/replicas.yml), one stack for the whole file. The
 * non-disruptive tests run first; each disruptive one leaves every
 * replica up again for the next.
 *
 * The key schedule is shortened by its documented variables:
 *   pending  2 s refresh + 1 s verifier TTL + 1 s cooldown + 1 s tolerance = 5 s
 *   retiring 2 s refresh + 30 s token TTL + 1 s tolerance = 33 s
 */
const SCALE = { auth: 2, resource: 3 };
// Below the default 10: each refused login costs a bcrypt, and the count is what is compared.
const LOGIN_ACCOUNT_MAX_FAILURES = 5;
const REVOCATION_MAX_LAG_MS = 10_000;
// Not shorter: a replica whose view of the keys is older than twice this reports unready,
// and a loaded 2-core machine can delay a reread by a second.
const SIGNING_KEY_REFRESH_MS = 2000;
const stack = new ReplicaStack('authpair-replicas', {
  auth: {
    BCRYPT_COST: '10',
    ACCESS_TOKEN_TTL: '30',
    JWKS_MAX_AGE: '1',
    VERIFIER_JWKS_MAX_TTL: '1',
    VERIFIER_JWKS_COOLDOWN: '1',
    VERIFIER_CLOCK_TOLERANCE: '1',
    SIGNING_KEY_REFRESH_MS: String(SIGNING_KEY_REFRESH_MS),
    SIGNING_KEY_ROTATION_DAYS: '0',
    LOGIN_ACCOUNT_MAX_FAILURES: String(LOGIN_ACCOUNT_MAX_FAILURES),
    // Every test request comes from one address; the per-address throttles are not this file's subject.
    REGISTRATION_ADDRESS_MAX: '1000000',
    // The balancer takes a draining replica out within about 2 s (deploy/haproxy/haproxy.cfg).
    SHUTDOWN_DELAY_MS: '3000',
    // A new PostgreSQL connection can take seconds on a 2-core machine shared with other jobs;
    // the default 3 s turned such a wait into a 503 that says nothing about replicas.
    DB_CONNECT_TIMEOUT_MS: '10000',
  },
  resource: {
    // Verifiers as the auth service is told they are.
    JWKS_MIN_TTL: '0',
    JWKS_MAX_TTL: '1',
    JWKS_DEFAULT_TTL: '1',
    JWKS_COOLDOWN_MS: '1000',
    CLOCK_TOLERANCE: '1',
    REVOCATION_MAX_LAG_MS: String(REVOCATION_MAX_LAG_MS),
    SHUTDOWN_DELAY_MS: '3000',
  },
});

/** Requests each load test sent, printed once at the end (the figures of the run). */
const sent: Record<string, number> = {};

jest.setTimeout(180_000);

let stackUpMs = 0;

beforeAll(async () => {
  const started = Date.now();
  await stack.up(SCALE);
  stackUpMs = Date.now() - started;
}, 1_200_000);

afterAll(async () => {
  await stack.down();
  process.stderr.write(
    `[replicas] stack built and up in ${Math.round(stackUpMs / 1000)} s; requests sent by each load: ${JSON.stringify(sent)}\n`,
  );
});

/** One request of a load: which one (its X-Request-Id), when it started, what came back. */
interface Timed extends Outcome {
  id: string;
  started: number;
}

let sequence = 0;

/** A request through fetch, timed and tagged with an X-Request-Id the balancer logs. */
async function timed(
  what: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown },
  expected: (status: number) => boolean,
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON
): Promise<{ outcome: Timed; body: any }> {
  sequence += 1;
  const id = `replicas-${process.pid}-${sequence}`;
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        'x-request-id': id,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const ok = expected(response.status);
    return {
      outcome: {
        what,
        status: response.status,
        ok,
        at: Date.now(),
        id,
        started,
        ...(ok ? {} : { detail: text.slice(0, 200) }),
      },
      body,
    };
  } catch (error) {
    return {
      outcome: {
        what,
        status: 0,
        ok: false,
        at: Date.now(),
        id,
        started,
        detail: describeError(error),
      },
      body: undefined,
    };
  }
}

/** An error and its causes (undici's `fetch failed` says why only in `cause`). */
function describeError(error: unknown): string {
  // Duck-typed: fetch's errors come from outside jest's realm, where instanceof Error fails.
  const parts: string[] = [];
  let current = error as { name?: unknown; message?: unknown; cause?: unknown } | undefined;
  while (typeof current === 'object' && current !== null && 'message' in current) {
    parts.push(`${String(current.name)}: ${String(current.message)}`);
    current = current.cause as typeof current;
  }
  return parts.length > 0 ? parts.join(' <- ') : String(error);
}

const is = (status: number) => (actual: number) => actual === status;

/** The `kid` a compact JWS names in its header. */
const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;

async function register(authUrl: string, username = uniqueUsername('rep')): Promise<string> {
  const response = await request(`${authUrl}/register`, {
    body: { username, password: GOOD_PASSWORD },
  });
  if (response.status !== 201) throw new Error(`register: ${response.status} ${response.text}`);
  return username;
}

async function login(authUrl: string, username: string): Promise<string> {
  const response = await request(`${authUrl}/login`, {
    body: { username, password: GOOD_PASSWORD },
  });
  if (response.status !== 200) throw new Error(`login: ${response.status} ${response.text}`);
  return response.body.access_token;
}

/** Few logins against many calls: bcrypt on a busy 2-core machine would starve the replicas. */
const PROTECTED_CALLS_PER_LOGIN = 4;

/**
 * The steady load of the rotation and restart tests, all through the
 * balancer: worker `i` logs user `i` in, then calls /protected a few times
 * with the new token. Collects the kids of the tokens it was issued.
 */
function loginAndCallLoad(users: string[], kids = new Set<string>()): RunningLoad {
  return startLoad(users.length, async (worker) => {
    const username = users[worker] as string;
    const signedIn = await timed(
      'login',
      `${stack.authUrl}/login`,
      { body: { username, password: GOOD_PASSWORD } },
      is(200),
    );
    if (!signedIn.outcome.ok) return [signedIn.outcome];
    const token: string = signedIn.body.access_token;
    kids.add(kidOf(token));
    const outcomes = [signedIn.outcome];
    for (let call = 0; call < PROTECTED_CALLS_PER_LOGIN; call += 1)
      outcomes.push(
        (
          await timed(
            'protected',
            `${stack.resourceUrl}/protected`,
            { headers: bearer(token) },
            is(200),
          )
        ).outcome,
      );
    return outcomes;
  });
}

/** Resolves once the load has `count` more successful requests than when called. */
async function progressed(load: RunningLoad, count: number, what: string): Promise<void> {
  const start = load.outcomes.filter((outcome) => outcome.ok).length;
  await eventually(
    () => load.outcomes.filter((outcome) => outcome.ok).length,
    (ok) => ok >= start + count,
    { timeoutMs: 60_000, intervalMs: 50, what },
  );
}

describe('2 auth and 3 resource replicas behind HAProxy', () => {
  it('accepts a token issued by any auth replica at every resource replica, each reached directly', async () => {
    const [auths, resources] = [await stack.replicas('auth'), await stack.replicas('resource')];
    expect(auths).toHaveLength(SCALE.auth);
    expect(resources).toHaveLength(SCALE.resource);
    for (const auth of auths) {
      const username = await register(auth.url);
      const token = await login(auth.url, username);
      for (const resource of resources) {
        const response = await request(`${resource.url}/protected`, { headers: bearer(token) });
        expect({ auth: auth.name, resource: resource.name, status: response.status }).toEqual({
          auth: auth.name,
          resource: resource.name,
          status: 200,
        });
        expect(response.body.claims.username).toBe(username);
      }
    }
  });

  it('refuses a token logged out through the balancer at every resource replica within REVOCATION_MAX_LAG_MS', async () => {
    const resources = await stack.replicas('resource');
    const token = await login(stack.authUrl, await register(stack.authUrl));
    for (const resource of resources)
      expect((await request(`${resource.url}/protected`, { headers: bearer(token) })).status).toBe(
        200,
      );

    const logout = await request(`${stack.authUrl}/logout`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(logout.status).toBe(204);
    const loggedOutAt = Date.now();
    const refusedAfter = await Promise.all(
      resources.map(async (resource) => {
        const refused = await eventually(
          () => request(`${resource.url}/protected`, { headers: bearer(token) }),
          (response) => response.status !== 200,
          {
            timeoutMs: REVOCATION_MAX_LAG_MS + 5000,
            intervalMs: 50,
            what: `${resource.name} to refuse the logged-out token`,
          },
        );
        expect(refused.status).toBe(401);
        expect(refused.body.detail).toBe('the session of this token has ended');
        return Date.now() - loggedOutAt;
      }),
    );
    expect(Math.max(...refusedAfter)).toBeLessThanOrEqual(REVOCATION_MAX_LAG_MS);
  });

  it('shares the failed-login throttle: spread over the auth replicas, the account hits 429 at the same count as on one', async () => {
    const auths = await stack.replicas('auth');
    /** Wrong passwords, the n-th sent to `target(n)`, until a 429; how many were refused before it. */
    const failuresBefore429 = async (username: string, target: (attempt: number) => Replica) => {
      for (let attempt = 0; attempt <= LOGIN_ACCOUNT_MAX_FAILURES + 5; attempt += 1) {
        const response = await request(`${target(attempt).url}/login`, {
          body: { username, password: 'wrong horse battery staple' },
        });
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          return attempt;
        }
        expect(response.status).toBe(401);
      }
      throw new Error('no 429');
    };
    const spread = await register(stack.authUrl);
    const single = await register(stack.authUrl);
    const overReplicas = await failuresBefore429(
      spread,
      (attempt) => auths[attempt % auths.length] as Replica,
    );
    const onOne = await failuresBefore429(single, () => auths[0] as Replica);

    expect(overReplicas).toBe(LOGIN_ACCOUNT_MAX_FAILURES);
    expect(overReplicas).toBe(onOne);
    // Throttled at every replica, whichever counted the failures.
    for (const auth of auths) {
      const response = await request(`${auth.url}/login`, {
        body: { username: spread, password: GOOD_PASSWORD },
      });
      expect(response.status).toBe(429);
    }
  });

  it('rotates the signing key under continuous load through the balancer: no failed request, every replica signs with the new key', async () => {
    const before = await stack.authAdmin(['keys', 'list']);
    const oldKid: string = before.keys.find((key: { state: string }) => key.state === 'active').kid;
    const users = await Promise.all([1, 2, 3].map(() => register(stack.authUrl)));
    const kids = new Set<string>();
    const load = loginAndCallLoad(users, kids);
    /** Each step as `keys list` shows it (an exec in a container: read once per step, not polled). */
    const keyOf = async (kid: string) =>
      (await stack.authAdmin(['keys', 'list'])).keys.find(
        (key: { kid: string }) => key.kid === kid,
      );
    const jwksKids = async (url: string): Promise<string[]> =>
      (await request(`${url}/.well-known/jwks.json`)).body.keys.map(
        (key: { kid: string }) => key.kid,
      );
    try {
      await progressed(load, 10, 'the load to run before the rotation');
      const rotated = await stack.authAdmin(['keys', 'rotate']);
      const newKid: string = rotated.pending.kid;
      const created = Date.parse(rotated.pending.created_at);
      expect(Date.parse(rotated.pending.activate_at) - created).toBe(before.schedule.pending_ms);

      // Activation, by the service itself after the computed wait: every replica signs with it.
      for (const auth of await stack.replicas('auth'))
        await eventually(
          async () => kidOf(await login(auth.url, users[0] as string)),
          (kid) => kid === newKid,
          {
            timeoutMs: before.schedule.pending_ms + SIGNING_KEY_REFRESH_MS * 2 + 20_000,
            intervalMs: 250,
            what: `${auth.name} to sign with the new key`,
          },
        );
      const active = await keyOf(newKid);
      expect(active.state).toBe('active');
      expect(Date.parse(active.activated_at) - created).toBeGreaterThanOrEqual(
        before.schedule.pending_ms,
      );

      // Retirement once the old key's last tokens expired: it leaves every replica's JWKS.
      for (const auth of await stack.replicas('auth'))
        await eventually(
          () => jwksKids(auth.url),
          (kids) => !kids.includes(oldKid),
          {
            timeoutMs: before.schedule.retiring_ms + 20_000,
            intervalMs: 250,
            what: `${auth.name} to drop the old key from its JWKS`,
          },
        );
      const retired = await keyOf(oldKid);
      expect(retired.state).toBe('retired');
      expect(
        Date.parse(retired.retired_at) - Date.parse(active.activated_at),
      ).toBeGreaterThanOrEqual(before.schedule.retiring_ms);
      await progressed(load, 10, 'the load to run past the retirement');
      expect([...kids].sort()).toEqual([oldKid, newKid].sort());
    } finally {
      await load.stop();
      sent.rotation = load.outcomes.length;
    }
    expect(load.failures()).toEqual([]);
  });

  it('restarts every replica, one at a time, under load through the balancer with no failed request', async () => {
    const users = await Promise.all([1, 2, 3].map(() => register(stack.authUrl)));
    const load = loginAndCallLoad(users);
    try {
      await progressed(load, 10, 'the load to run before the restarts');
      for (const service of ['auth', 'resource'] as const) {
        for (const replica of await stack.replicas(service)) {
          const restarted = await docker(['restart', '--time', '30', replica.id]);
          expect(restarted.code).toBe(0);
          // Back in the balancer before the next one goes.
          await stack.balanced(service, SCALE[service], 120_000);
          await progressed(load, 6, `the load to run after restarting ${replica.name}`);
        }
      }
    } finally {
      await load.stop();
      sent.rollingRestart = load.outcomes.length;
    }
    expect(load.failures()).toEqual([]);
  });

  it('routes around an auth replica killed with SIGKILL under register/login load: only requests in flight on it fail, and every 201 can log in', async () => {
    const registered: string[] = [];
    const load = startLoad(3, async () => {
      const username = uniqueUsername('kill');
      const signUp = await timed(
        'register',
        `${stack.authUrl}/register`,
        { body: { username, password: GOOD_PASSWORD } },
        is(201),
      );
      if (!signUp.outcome.ok) return [signUp.outcome];
      registered.push(username);
      const signIn = await timed(
        'login',
        `${stack.authUrl}/login`,
        { body: { username, password: GOOD_PASSWORD } },
        is(200),
      );
      return [signUp.outcome, signIn.outcome];
    });
    const [victim, survivor] = (await stack.replicas('auth')) as [Replica, Replica];
    let killStart = 0;
    let killEnd = 0;
    try {
      await progressed(load, 20, 'the load to run before the kill');
      killStart = Date.now();
      expect((await docker(['kill', '--signal', 'KILL', victim.id])).code).toBe(0);
      killEnd = Date.now();
      // The balancer sees it gone; the load keeps going on the survivor.
      await stack.balanced('auth', 1, 60_000);
      await progressed(load, 20, 'the load to run on the surviving replica');
    } finally {
      await load.stop();
      sent.kill = load.outcomes.length;
    }
    // Back to two replicas for the next test.
    expect((await docker(['start', victim.id])).code).toBe(0);
    await stack.balanced('auth', SCALE.auth, 120_000);

    const outcomes = load.outcomes as Timed[];
    // Where the balancer sent each request, from its log (X-Request-Id -> server address).
    const serverOf = new Map<string, string>();
    for (const line of await stack.balancerLog()) {
      const match = / (\d+\.\d+\.\d+\.\d+):\d+ \S+ \d{3} .*\{([^}|]*)\}\s*$/.exec(line);
      if (match) serverOf.set(match[2] as string, match[1] as string);
    }
    // In flight at the kill: sent before it, answered after it. On the victim: not logged as
    // served by another replica. HAProxy answers a request the victim dropped with 502 when it
    // was the first on its client connection (logged on the victim), and otherwise closes the
    // client connection without an answer or a log line, as a keep-alive close the client may retry.
    const inFlightOnVictim = outcomes.filter((outcome) => {
      const server = serverOf.get(outcome.id);
      return (
        outcome.started <= killEnd &&
        outcome.at >= killStart &&
        (server === undefined || server === victim.ip)
      );
    });
    const failed = outcomes.filter((outcome) => !outcome.ok);
    expect(
      failed
        .filter((outcome) => !inFlightOnVictim.includes(outcome))
        .map((outcome) => ({ ...outcome, server: serverOf.get(outcome.id) })),
    ).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(inFlightOnVictim.length);
    for (const outcome of failed)
      if (outcome.status === 0) expect(outcome.detail).toMatch(/other side closed/);
      else expect(outcome.status).toBe(502);
    // Routed around: everything sent after the kill succeeded, on the survivor.
    const afterKill = outcomes.filter((outcome) => outcome.started > killEnd);
    expect(afterKill.length).toBeGreaterThanOrEqual(20);
    expect(afterKill.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(serverOf.size).toBeGreaterThan(0);
    expect(survivor.ip).not.toBe(victim.ip);

    const cannotLogIn: string[] = [];
    for (const username of registered) {
      const response = await request(`${stack.authUrl}/login`, {
        body: { username, password: GOOD_PASSWORD },
      });
      if (response.status !== 200) cannotLogIn.push(`${username}: ${response.status}`);
    }
    expect(registered.length).toBeGreaterThanOrEqual(20);
    expect(cannotLogIn).toEqual([]);
  });

  it('rides out a PostgreSQL restart with every replica up: no 500, and all recover without a restart of their own', async () => {
    const replicasBefore = [
      ...(await stack.replicas('auth')),
      ...(await stack.replicas('resource')),
    ];
    const users = await Promise.all([1, 2, 3].map(() => register(stack.authUrl)));
    // While the database is down 503 is the right answer; anything else 5xx is not.
    const load = startLoad(users.length, async (worker) => {
      const username = users[worker] as string;
      const signedIn = await timed(
        'login',
        `${stack.authUrl}/login`,
        { body: { username, password: GOOD_PASSWORD } },
        (status) => status === 200 || status === 503,
      );
      if (signedIn.outcome.status !== 200) return [signedIn.outcome];
      const call = await timed(
        'protected',
        `${stack.resourceUrl}/protected`,
        { headers: bearer(signedIn.body.access_token) },
        (status) => status === 200 || status === 503,
      );
      return [signedIn.outcome, call.outcome];
    });
    try {
      await progressed(load, 10, 'the load to run before the restart');
      const restarted = await stack.compose(['restart', 'postgres']);
      expect(restarted.code).toBe(0);
      for (const auth of await stack.replicas('auth'))
        await eventually(
          () => request(`${auth.url}/readyz`).catch(() => ({ status: 0 })),
          (response) => response.status === 200,
          { timeoutMs: 60_000, intervalMs: 250, what: `${auth.name} to be ready again` },
        );
      await stack.balanced('auth', SCALE.auth);
      await stack.balanced('resource', SCALE.resource);
      await progressed(load, 10, 'the load to succeed again after the restart');
    } finally {
      await load.stop();
      sent.postgresRestart = load.outcomes.length;
    }
    const statuses = load.outcomes.map((outcome) => outcome.status);
    expect(load.failures()).toEqual([]);
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);

    // Recovered by themselves: the same processes, not restarted by Docker.
    const replicasAfter = [
      ...(await stack.replicas('auth')),
      ...(await stack.replicas('resource')),
    ];
    expect(
      replicasAfter.map(({ id, startedAt, restartCount }) => ({ id, startedAt, restartCount })),
    ).toEqual(
      replicasBefore.map(({ id, startedAt, restartCount }) => ({ id, startedAt, restartCount })),
    );
    for (const auth of await stack.replicas('auth')) {
      const token = await login(auth.url, users[0] as string);
      for (const resource of await stack.replicas('resource'))
        expect(
          (await request(`${resource.url}/protected`, { headers: bearer(token) })).status,
        ).toBe(200);
    }
  });
});
