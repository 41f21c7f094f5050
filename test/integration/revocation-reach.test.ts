import type { RunningAuthService } from '@authpair/auth';
import type { RunningResourceService } from '@authpair/resource';
import {
  bearer,
  eventually,
  postForm,
  type ReadResponse,
  registerAndLogin,
  request,
} from '../support/http';
import { useServices } from '../support/services';

/**
 * Revocation reaching the resource service: a session ended at the auth
 * service stops its access tokens at the resource service within a poll
 * interval, long before their `exp`, with several replicas of each.
 */
const context = useServices({ resource: {} });

const callResource = (resource: { url: string }, token: string) =>
  request(`${resource.url}/protected`, { headers: bearer(token) });

const logout = (auth: { url: string }, token: string, query = '') =>
  request(`${auth.url}/logout${query}`, { method: 'POST', headers: bearer(token) });

function expectRefused(response: ReadResponse) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(
    /error="invalid_token", error_description="the session of this token has ended"/,
  );
}

describe('a session ended at the auth service', () => {
  it('is refused by the resource service within one poll interval of the logout (measured)', async () => {
    const pollMs = 1000; // REVOCATION_POLL_INTERVAL_MS default
    const delays: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const { token } = await registerAndLogin(context.auth.url);
      expect((await callResource(context.resource, token)).status).toBe(200);
      const loggedOutAt = Date.now();
      expect((await logout(context.auth, token)).status).toBe(204);
      const refused = await eventually(
        () => callResource(context.resource, token),
        (response) => response.status !== 200,
        { intervalMs: 10, timeoutMs: 5000 },
      );
      delays.push(Date.now() - loggedOutAt);
      expectRefused(refused);
    }
    console.info(`revocation reached the resource service after ${delays.join(', ')} ms`);
    // One poll interval, plus the fetch and the probing request.
    for (const delay of delays) expect(delay).toBeLessThan(pollMs + 500);
  });

  it('ends every token of the user at the resource service with logout everywhere', async () => {
    const first = await registerAndLogin(context.auth.url);
    const second = await request(`${context.auth.url}/login`, {
      body: { username: first.username, password: 'correct horse battery staple' },
    });
    const tokens = [first.token, second.body.access_token as string];
    await logout(context.auth, first.token, '?scope=all');
    for (const token of tokens)
      expectRefused(
        await eventually(
          () => callResource(context.resource, token),
          (response) => response.status !== 200,
        ),
      );
  });

  it('reaches every resource replica, whichever auth replica each one polls', async () => {
    const otherAuth: RunningAuthService = await context.startAuth();
    const replicas: RunningResourceService[] = await Promise.all([
      context.startResource({ REVOCATION_POLL_INTERVAL_MS: '200' }),
      context.startResource({ REVOCATION_POLL_INTERVAL_MS: '200' }, { authUrl: otherAuth.url }),
    ]);
    try {
      const { token } = await registerAndLogin(otherAuth.url);
      for (const replica of replicas) expect((await callResource(replica, token)).status).toBe(200);
      // Ended through a third path: RFC 7009 at the first auth replica.
      await postForm(`${context.auth.url}/revoke`, { token });
      for (const replica of replicas)
        expectRefused(
          await eventually(
            () => callResource(replica, token),
            (response) => response.status !== 200,
          ),
        );
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop(1000)));
      await otherAuth.stop(1000);
    }
  });
});

describe('token types at the resource service', () => {
  it('refuses a refresh token sent as a bearer token with 401 invalid_token', async () => {
    const { refreshToken } = await registerAndLogin(context.auth.url);
    const response = await callResource(context.resource, refreshToken);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

describe('the revocation list in /readyz and /metrics', () => {
  it('reports the list current, its lag, and the tokens it refused', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    await logout(context.auth, token);
    await eventually(
      () => callResource(context.resource, token),
      (response) => response.status === 401,
    );
    const ready = await request(`${context.resource.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.revocations).toMatchObject({
      status: 'up',
      list: 'current',
      lagMs: expect.any(Number),
    });
    const metrics = (await request(`${context.resource.url}/metrics`)).text;
    expect(metrics).toMatch(/^revocation_feed_lag_seconds\{[^}]*\} \d/m);
    expect(metrics).toMatch(/^revocation_refusals_total\{reason="session_ended"[^}]*\} [1-9]/m);
  });
});
