import type { RunningAuthService } from '@authpair/auth';
import type { RunningResourceService } from '@authpair/resource';
import { runAdmin } from '../support/admin';
import { eventually, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { type Outcome, startLoad } from '../support/load';
import { authEnvironment, useServices } from '../support/services';

/**
 * A whole rotation, pending -> active -> retiring -> retired, with the
 * durations shrunk by configuration, while users keep logging in at two
 * auth replicas and calling two resource services (each fetching the JWKS
 * from a different replica). The schedule comes out as:
 *   pending  0.25 s refresh + 1 s verifier TTL + 1 s cooldown + 1 s tolerance = 3.25 s
 *   retiring 0.25 s refresh + 30 s token TTL + 1 s tolerance = 31.25 s
 */
const AUTH_ENV = {
  ACCESS_TOKEN_TTL: '30',
  JWKS_MAX_AGE: '1',
  VERIFIER_JWKS_MAX_TTL: '1',
  VERIFIER_JWKS_COOLDOWN: '1',
  VERIFIER_CLOCK_TOLERANCE: '1',
  SIGNING_KEY_REFRESH_MS: '250',
  SIGNING_KEY_ROTATION_DAYS: '0',
  // The load logs four users in again and again and keeps using the last
  // token signed with the old key: on a quiet machine a user passes the
  // default cap of 100 live sessions, the cap ends that token's session, and
  // the resource rightly answers 401. The cap is not what this file tests.
  SESSION_MAX_PER_USER: '10000',
};
/** Verifiers configured as the auth service is told they are. */
const RESOURCE_ENV = {
  JWKS_MIN_TTL: '0',
  JWKS_MAX_TTL: '1',
  JWKS_DEFAULT_TTL: '1',
  JWKS_COOLDOWN_MS: '1000',
  CLOCK_TOLERANCE: '1',
};

jest.setTimeout(90_000);

const services = useServices({ auth: false });
let replicas: RunningAuthService[];
let resources: RunningResourceService[];

beforeAll(async () => {
  replicas = [await services.startAuth(AUTH_ENV), await services.startAuth(AUTH_ENV)];
  resources = await Promise.all(
    replicas.map((auth) => services.startResource(RESOURCE_ENV, { authUrl: auth.url })),
  );
});

interface Issued {
  token: string;
  kid: string;
  exp: number;
}

function decode(token: string): Issued {
  const [header, payload] = token.split('.') as [string, string];
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString());
  const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return { token, kid, exp };
}

const adminEnv = () => authEnvironment(services.db.url, AUTH_ENV);
/** Straight to the table, as an operator with psql would look. */
const sql = (text: string, values: unknown[] = []) =>
  (replicas[0] as RunningAuthService).pool.query(text, values);

async function keyStates(): Promise<Record<string, string>> {
  const { rows } = await sql('SELECT kid, state FROM signing_keys');
  return Object.fromEntries(rows.map((row) => [row.kid, row.state]));
}

// SECURITY.md, hostile-input catalogue 14, through the real auth service.
describe('a signing-key rotation under load, through the real auth service', () => {
  it('completes pending -> active -> retiring -> retired with no failed request', async () => {
    const users = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const username = uniqueUsername('rot');
        const registered = await request(`${replicas[0]?.url}/register`, {
          body: { username, password: GOOD_PASSWORD },
        });
        expect(registered.status).toBe(201);
        return username;
      }),
    );
    const oldKid = Object.keys(await keyStates())[0] as string;
    const issued: Issued[] = [];
    /** The most recent token signed with the old key: it must verify until it expires. */
    let lastOldToken: Issued | undefined;

    const load = startLoad(2, async (worker) => {
      const outcomes: Outcome[] = [];
      const record = (what: string, status: number, expected: number, detail = '') =>
        outcomes.push({ what, status, ok: status === expected, at: Date.now(), detail });
      const auth = replicas[(worker + issued.length) % 2] as RunningAuthService;
      const login = await request(`${auth.url}/login`, {
        body: { username: users[issued.length % users.length], password: GOOD_PASSWORD },
      });
      record('login', login.status, 200, login.text);
      if (login.status !== 200) return outcomes;
      const token = decode(login.body.access_token);
      issued.push(token);
      if (token.kid === oldKid) lastOldToken = token;
      const calls = resources.map(async (resource) => {
        const fresh = await request(`${resource.url}/protected`, {
          headers: { authorization: `Bearer ${token.token}` },
        });
        record(`protected (${token.kid.slice(0, 8)})`, fresh.status, 200, fresh.text);
        const old = lastOldToken;
        // Half a second short of exp: the verifier's own expiry check is not what is tested here.
        if (old !== undefined && Date.now() < old.exp * 1000 - 500) {
          const again = await request(`${resource.url}/protected`, {
            headers: { authorization: `Bearer ${old.token}` },
          });
          record('protected (old key token)', again.status, 200, again.text);
        }
      });
      await Promise.all(calls);
      return outcomes;
    });

    try {
      await eventually(() => load.outcomes.length >= 10, Boolean, {
        what: 'some traffic',
        timeoutMs: 10_000,
      });

      // An operator starts a rotation; the service schedules the rest.
      const rotate = await runAdmin(['keys', 'rotate', '--json'], adminEnv());
      expect(rotate.code).toBe(0);
      const newKid: string = rotate.json.pending.kid;
      expect(rotate.json.pending.state).toBe('pending');
      expect(rotate.json.active.kid).toBe(oldKid);

      // Activating it at once is refused: verifiers may not have fetched it yet.
      const early = await runAdmin(['keys', 'activate', newKid, '--json'], adminEnv());
      expect(early.code).toBe(1);
      expect(early.json.error).toMatchObject({ refused: true, safe_at: expect.any(String) });
      expect(early.json.error.message).toContain('--force');
      expect(await keyStates()).toEqual({ [oldKid]: 'active', [newKid]: 'pending' });

      // The scheduler activates it once the schedule allows, and logins switch to it.
      await eventually(() => issued.some((t) => t.kid === newKid), Boolean, {
        what: 'the new key to sign',
        timeoutMs: 20_000,
      });
      const { rows: activated } = await sql(
        `SELECT kid, state, activate_at, activated_at, created_at FROM signing_keys WHERE kid = $1`,
        [newKid],
      );
      expect(activated[0].state).toBe('active');
      expect(activated[0].activated_at.getTime()).toBeGreaterThanOrEqual(
        activated[0].created_at.getTime() + 3250,
      );
      expect((await keyStates())[oldKid]).toBe('retiring');

      // The old key stays published until its last token has expired, then leaves.
      await eventually(async () => (await keyStates())[oldKid] === 'retired', Boolean, {
        what: 'the old key to retire',
        timeoutMs: 45_000,
        intervalMs: 250,
      });
      const { rows: retired } = await sql(
        `SELECT retired_at, private_key_ciphertext FROM signing_keys WHERE kid = $1`,
        [oldKid],
      );
      const lastOldExp = Math.max(...issued.filter((t) => t.kid === oldKid).map((t) => t.exp));
      expect(retired[0].retired_at.getTime()).toBeGreaterThan(lastOldExp * 1000);
      expect(retired[0].private_key_ciphertext).toBeNull(); // erased: it never signs again
    } finally {
      await load.stop();
    }

    expect(load.failures()).toEqual([]);
    const byWhat = (prefix: string) => load.outcomes.filter((o) => o.what.startsWith(prefix));
    expect(byWhat('protected (old key token)').length).toBeGreaterThan(10);
    expect(issued.filter((t) => t.kid === oldKid).length).toBeGreaterThan(0);
    // Each replica rereads the keys every SIGNING_KEY_REFRESH_MS (250 ms here), so the
    // retired key leaves replica 1's JWKS within a few refreshes, not at the same instant.
    const published = async () =>
      (await request(`${replicas[1]?.url}/.well-known/jwks.json`)).body.keys.map(
        (key: { kid: string }) => key.kid,
      ) as string[];
    await eventually(async () => !(await published()).includes(oldKid), Boolean, {
      what: 'replica 1 to stop publishing the retired key',
      timeoutMs: 2000,
      intervalMs: 50,
    });
    expect(await published()).not.toContain(oldKid);
  });
});
