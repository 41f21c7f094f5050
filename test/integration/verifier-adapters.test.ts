import { request as httpRequest } from 'node:http';
import { FRAMEWORKS, startAdapterTarget } from '../support/adapter-target';
import type { AttackTarget } from '../support/attack-target';
import { bearer, eventually, request } from '../support/http';
import { expectInvalidToken, expectProblem } from '../support/problems';
import { generateTestKey } from '../support/test-issuer';

// What the hostile-token catalogue does not reach, per framework adapter of
// @authpair/verifier (its example app): requireScope, the 503s, and the
// revocation step. test/security/adapters runs the catalogue itself.

describe.each(FRAMEWORKS)('the %s adapter', (framework) => {
  let target: AttackTarget;
  const reports = (token: string) =>
    request(`${target.resource.url}/admin/reports`, { headers: bearer(token) });

  beforeAll(async () => {
    target = await startAdapterTarget(framework, {
      JWKS_COOLDOWN_MS: '0',
      REVOCATION_POLL_INTERVAL_MS: '100',
    });
  });
  afterAll(() => target?.stop());

  it('answers a token without the required scope 403 insufficient_scope, naming the scope', async () => {
    const response = await reports(target.issuer.mint({ claims: { scope: 'profile' } }));
    expectProblem(response, 403, 'insufficient_scope');
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="authpair", error="insufficient_scope", error_description="this needs an access token with the admin scope", scope="admin"',
    );
    const allowed = await reports(target.issuer.mint({ claims: { scope: 'profile admin' } }));
    expect(allowed.status).toBe(200);
  });

  it('refuses the token of a session once the feed says it ended', async () => {
    const sid = `session-${framework}`;
    const token = target.issuer.mint({ claims: { sid } });
    expect((await target.bearer(token)).status).toBe(200);
    target.issuer.feed.revoked.push(sid);
    const refused = await eventually(
      () => target.bearer(token),
      (response) => response.status === 401,
      { what: 'the revoked session refused' },
    );
    expectInvalidToken(refused);
    expect(refused.body.detail).toBe('the session of this token has ended');
  });

  it('names the path alone as the instance, whatever form the request target takes', async () => {
    // Absolute-form (RFC 9112 §3.2.2), as sent to a proxy: the resource service answers
    // `/protected`; the scheme, host and userinfo the client wrote are not echoed back.
    const { port } = new URL(target.resource.url);
    const body = await new Promise<string>((resolve, reject) => {
      const path = 'http://user:secret@elsewhere.example/protected?x=1';
      httpRequest({ host: '127.0.0.1', port, path }, (res) => {
        let text = '';
        res.on('data', (part: Buffer) => (text += part.toString('utf8')));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(body)).toMatchObject({ code: 'missing_credentials', instance: '/protected' });
  });

  it('answers 503 jwks_unavailable with Retry-After while the keys cannot be fetched', async () => {
    target.issuer.behaviour = { kind: 'status', status: 500 };
    try {
      const response = await target.bearer(target.issuer.mint({ key: generateTestKey() }));
      expectProblem(response, 503, 'jwks_unavailable');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(response.headers.get('www-authenticate')).toBeNull();
    } finally {
      target.issuer.behaviour = { kind: 'ok', maxAge: 300 };
    }
  });
});
