import { PassThrough } from 'node:stream';
import { revocationFeedPageSchema } from '@authpair/contracts';
import { createLogger } from '@authpair/service-kit';
import { closeConnections, send } from '../support/fuzz/send';
import {
  bearer,
  eventually,
  GOOD_PASSWORD,
  type ReadResponse,
  rawRequest,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { expectProblem } from '../support/problems';
import { TEST_ISSUER, useServices } from '../support/services';

// Guarantees SECURITY.md states that no other test shows; its table maps
// every guarantee to the test that proves it, these included.

const services = useServices();
afterAll(closeConnections);

function login(url: string, username: string, password: string, address?: string) {
  return request(`${url}/login`, {
    body: { username, password },
    ...(address === undefined ? {} : { headers: { 'x-forwarded-for': address } }),
  });
}

describe('signing keys', () => {
  it('allows exactly one active signing key: the database refuses a second', async () => {
    const { pool } = services.auth;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        "CREATE TEMP TABLE second_key ON COMMIT DROP AS SELECT * FROM signing_keys WHERE state = 'active'",
      );
      await client.query("UPDATE second_key SET kid = 'second-' || kid");
      const insert = client.query('INSERT INTO signing_keys SELECT * FROM second_key');
      await expect(insert).rejects.toMatchObject({
        code: '23505',
        constraint: 'signing_keys_one_active',
      });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('answers a login 503 with Retry-After, rather than sign, when its view of the keys is stale and cannot be reread', async () => {
    const auth = await services.startAuth({ SIGNING_KEY_REFRESH_MS: '100' });
    const { username } = await registerAndLogin(auth.url);
    await auth.pool.query('ALTER TABLE signing_keys RENAME TO signing_keys_away');
    let refused: ReadResponse;
    try {
      // Past the refresh interval the replica must reread before it signs, and every reread
      // fails; /readyz says so once its view is twice that old.
      await eventually(
        () => request(`${auth.url}/readyz`),
        (ready) => ready.status === 503,
        { what: 'the replica reporting its keys stale' },
      );
      refused = await login(auth.url, username, GOOD_PASSWORD);
    } finally {
      await auth.pool.query('ALTER TABLE signing_keys_away RENAME TO signing_keys');
    }
    expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.access_token).toBeUndefined();
  });

  it('logs a refused signing key once, not at every reread', async () => {
    const { pool } = services.auth;
    const client = await pool.connect();
    try {
      // A copy of the genuine row under another kid: no longer its key's thumbprint, so refused.
      await client.query(
        "CREATE TEMP TABLE planted AS SELECT * FROM signing_keys WHERE state = 'active'",
      );
      await client.query(
        `UPDATE planted SET kid = 'planted-' || kid, state = 'pending',
                activate_at = now() + interval '1 year', activated_at = NULL`,
      );
      await client.query('INSERT INTO signing_keys SELECT * FROM planted');
      await client.query('DROP TABLE planted');
    } finally {
      client.release();
    }
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
    try {
      const auth = await services.startAuth(
        { SIGNING_KEY_REFRESH_MS: '100' },
        { logger: createLogger({ service: 'auth', level: 'info', destination }) },
      );
      const started = Date.now();
      // Ten rereads or more: the key ring's own clock, in /readyz, says when it last read.
      await eventually(
        async () => JSON.stringify((await request(`${auth.url}/readyz`)).body),
        (body) => Date.parse(/"loaded_at":"([^"]+)"/.exec(body)?.[1] ?? '') > started + 1000,
        { what: 'ten rereads of the keys' },
      );
      const refusals = lines.filter((line) => line.includes('signing key refused'));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toContain('planted-');
    } finally {
      await pool.query("DELETE FROM signing_keys WHERE kid LIKE 'planted-%'");
    }
  });
});

describe('the throttles', () => {
  it('keeps no username and no client address in clear in the rate-limit table', async () => {
    const auth = await services.startAuth({ TRUST_PROXY: 'true' });
    const username = uniqueUsername('clear');
    const address = '203.0.113.77';
    const failed = await login(auth.url, username, 'wrong password', address);
    expect(failed.status).toBe(401);
    const { rows } = await auth.pool.query('SELECT * FROM rate_limits');
    expect(rows.length).toBeGreaterThan(0);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(username);
    expect(stored).not.toContain(address);
  });

  it('lets no more parallel wrong guesses through than the account limit: each is counted before it is checked', async () => {
    const limit = 3;
    const auth = await services.startAuth({
      TRUST_PROXY: 'true',
      LOGIN_ACCOUNT_MAX_FAILURES: String(limit),
      LOGIN_ADDRESS_MAX_FAILURES: '1000',
    });
    const { username } = await registerAndLogin(auth.url);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        login(auth.url, username, `wrong password ${index}`, `198.51.100.${index + 1}`),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(limit);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
  });
});

describe('usernames', () => {
  it('registers a name of 32 letters of any script, however many bytes each takes', async () => {
    // Four bytes each in UTF-8 (CJK Extension B): the policy counts characters, and so must the database.
    const username = '𠀀'.repeat(31) + String(Date.now() % 10);
    const registered = await request(`${services.auth.url}/register`, {
      body: { username, password: GOOD_PASSWORD },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.username).toBe(username);
    expect((await login(services.auth.url, username, GOOD_PASSWORD)).status).toBe(200);
  });
});

describe('request headers the services do not trust', () => {
  it('builds the issuer and every metadata URL from JWT_ISSUER, whatever Host and X-Forwarded-* say', async () => {
    const forged = {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.example;proto=https',
    };
    const metadata = await rawRequest(
      `${services.auth.url}/.well-known/oauth-authorization-server`,
      { method: 'GET', headers: forged },
    );
    expect(metadata.status).toBe(200);
    expect(metadata.body.issuer).toBe(TEST_ISSUER);
    const urls = Object.values(metadata.body).filter(
      (value): value is string => typeof value === 'string' && /^https?:/.test(value),
    );
    expect(urls.length).toBeGreaterThan(2);
    for (const url of urls) expect(url.startsWith(TEST_ISSUER)).toBe(true);
    expect(metadata.text).not.toContain('evil.example');

    const { username } = await registerAndLogin(services.auth.url);
    const tokens = await rawRequest(`${services.auth.url}/login`, {
      headers: { ...forged, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: GOOD_PASSWORD }),
    });
    expect(tokens.status).toBe(200);
    const claims = JSON.parse(
      Buffer.from(String(tokens.body.access_token).split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims.iss).toBe(TEST_ISSUER);
  });

  it('stores a User-Agent without control or format characters, cut at 512 bytes, whatever the database encoding', async () => {
    const { username } = await registerAndLogin(services.auth.url);
    // Latin-1 on the wire (a Buffer body keeps node from re-encoding the headers as UTF-8):
    // a tab, C1 controls, a soft hyphen (Cf), then letters of two bytes each in UTF-8.
    const answer = await send(services.auth.url, {
      method: 'POST',
      path: '/login',
      headers: {
        'content-type': 'application/json',
        'user-agent': `agent\t\x85\x9b\xad${'é'.repeat(600)}`,
      },
      body: Buffer.from(JSON.stringify({ username, password: GOOD_PASSWORD })),
    });
    expect(answer.status).toBe(200);
    const sessions = await request(`${services.auth.url}/sessions`, {
      headers: bearer(JSON.parse(answer.text).access_token),
    });
    const current = sessions.body.sessions.find((session: { current: boolean }) => session.current);
    expect(current.user_agent).toBe(`agent${'é'.repeat(253)}`);
  });
});

describe('the revocation feed', () => {
  it('lets a resource service accept a reason it does not know, so a newer auth service can add one', () => {
    // The schema the verifier reads every feed page with (packages/verifier, revocation-list.ts).
    const page = {
      revocations: [
        {
          sid: '4f7c2f0e-0000-4000-8000-000000000000',
          revoked_at: new Date().toISOString(),
          reason: 'a_reason_added_later',
        },
      ],
      cursor: '1',
      has_more: false,
    };
    expect(revocationFeedPageSchema.safeParse(page).success).toBe(true);
  });
});
