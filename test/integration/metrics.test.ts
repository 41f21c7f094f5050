import {
  bearer,
  eventually,
  GOOD_PASSWORD,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { type RunningPair, useServices } from '../support/services';
import { metricValue } from '../support/sessions';

/**
 * The domain metrics the issue lists, each moved by the event it counts,
 * and `METRICS_PORT` moving `/metrics` off the public port.
 */
const services = useServices({ auth: false });
let pair: RunningPair;
let separate: RunningPair;

beforeAll(async () => {
  pair = await services.startPair({ auth: { LOGIN_ACCOUNT_MAX_FAILURES: '2' } });
  const metricsPort = { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' };
  separate = await services.startPair({ auth: metricsPort, resource: metricsPort });
});

const scrape = async (url: string) => (await request(`${url}/metrics`)).text;

/** How much each named sample grew while `act` ran. */
async function growth(
  url: string,
  samples: Array<[string, string?]>,
  act: () => Promise<unknown>,
): Promise<number[]> {
  const before = await scrape(url);
  await act();
  const after = await scrape(url);
  return samples.map(
    ([name, labels]) => metricValue(after, name, labels) - metricValue(before, name, labels),
  );
}

describe('auth service metrics', () => {
  it('count registrations, logins by outcome, password hashing, tokens issued and rate limiting', async () => {
    const username = uniqueUsername();
    const body = { username, password: GOOD_PASSWORD };
    const wrong = { username, password: `${GOOD_PASSWORD}?` };
    const login = (credentials: object) => request(`${pair.auth.url}/login`, { body: credentials });
    const deltas = await growth(
      pair.auth.url,
      [
        ['registrations_total', 'outcome="created"'],
        ['registrations_total', 'outcome="username_taken"'],
        ['logins_total', 'outcome="success"'],
        ['logins_total', 'outcome="invalid_credentials"'],
        ['logins_total', 'outcome="rate_limited"'],
        ['auth_rate_limited_total', 'limit="login_account"'],
        ['password_hash_duration_seconds_count', 'service="auth",operation="hash"'],
        ['password_hash_duration_seconds_count', 'service="auth",operation="verify"'],
        ['tokens_issued_total', 'type="access_token"'],
        ['tokens_issued_total', 'type="refresh_token"'],
      ],
      async () => {
        await request(`${pair.auth.url}/register`, { body });
        await request(`${pair.auth.url}/register`, { body });
        await login(body);
        await login(wrong);
        await login(wrong);
        expect((await login(wrong)).status).toBe(429);
      },
    );
    expect(deltas).toEqual([1, 1, 1, 2, 1, 1, 2, 3, 1, 1]);
  });

  it('count refresh outcomes and ended sessions by reason', async () => {
    const user = await registerAndLogin(pair.auth.url);
    const deltas = await growth(
      pair.auth.url,
      [
        ['refresh_token_grants_total', 'outcome="rotated"'],
        ['refresh_token_grants_total', 'outcome="reused"'],
        ['sessions_ended_total', 'reason="refresh_token_reuse"'],
        ['tokens_issued_total', 'type="access_token"'],
      ],
      async () => {
        await refresh(pair.auth.url, user.refreshToken);
        // Outside the grace window's conditions (its child was used), a second use is reuse.
        const child = await refresh(pair.auth.url, user.refreshToken);
        expect(child.status).toBe(200);
        await refresh(pair.auth.url, child.body.refresh_token);
        await refresh(pair.auth.url, user.refreshToken);
      },
    );
    expect(deltas).toEqual([2, 1, 1, 3]);
  });

  it('time requests by route pattern and status', async () => {
    await request(`${pair.auth.url}/sessions/not-a-session`, { method: 'DELETE' });
    const text = await scrape(pair.auth.url);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{service="auth",method="DELETE",route="\/sessions\/:id",status="401"\} [1-9]/m,
    );
  });
});

describe('resource service metrics', () => {
  it('count token verifications by outcome, beside the JWKS and revocation-feed metrics', async () => {
    const user = await registerAndLogin(pair.auth.url);
    const call = (headers: Record<string, string> = {}) =>
      request(`${pair.resource.url}/protected`, { headers });
    const deltas = await growth(
      pair.resource.url,
      [
        ['access_token_verifications_total', 'outcome="valid"'],
        ['access_token_verifications_total', 'outcome="invalid"'],
        ['revocation_refusals_total', 'reason="session_ended"'],
      ],
      async () => {
        await call(bearer(user.token));
        await call(bearer(`${user.token}x`));
        await request(`${pair.auth.url}/logout`, { method: 'POST', headers: bearer(user.token) });
        await eventually(
          () => call(bearer(user.token)),
          (response) => response.status === 401,
        );
      },
    );
    // The ended session's token still verifies (once or more while the feed catches up), then is refused.
    expect(deltas[1]).toBe(1);
    expect(deltas[0]).toBeGreaterThanOrEqual(2);
    expect(deltas[2]).toBe(1);
    const text = await scrape(pair.resource.url);
    for (const name of [
      'jwks_fetches_total{outcome="success"',
      'jwks_fetch_failures_total',
      'jwks_unknown_kid_total',
      'revocation_feed_lag_seconds',
      'access_token_cache_lookups_total',
    ])
      expect(text).toContain(name);
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on its own listener and no longer on the public port', async () => {
    for (const service of [separate.auth, separate.resource]) {
      const metricsUrl = service.metricsServer?.url;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(metricsUrl).not.toBe(service.url);
      const moved = await request(`${service.url}/metrics`);
      expect(moved.status).toBe(404);
      expect(moved.body.code).toBe('not_found');
      const served = await request(`${metricsUrl}/metrics`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(served.text).toContain('process_cpu_seconds_total');
      // Only the metrics are there: the API stays on the public port.
      expect((await request(`${metricsUrl}/healthz`)).status).toBe(404);
    }
  });
});
