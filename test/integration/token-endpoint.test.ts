import { postForm, type ReadResponse, registerAndLogin, request } from '../support/http';
import { useServices } from '../support/services';

/** `POST /token` refusals: RFC 6749 §5.2 codes, in OAuth's JSON with the problem members beside. */
const context = useServices();

describe('token endpoint errors (RFC 6749 §5.2, JSON with problem members)', () => {
  const token = (params: Record<string, string | string[]>) =>
    postForm(`${context.auth.url}/token`, params);

  function expectOAuthError(response: ReadResponse, status: number, error: string, code = error) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json(;|$)/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({
      error,
      error_description: expect.any(String),
      type: `tag:authpair,2026:problem:${code}`,
      title: expect.any(String),
      status,
      code,
    });
  }

  it('answers a missing grant_type or refresh_token with invalid_request', async () => {
    expectOAuthError(await token({ refresh_token: 'x' }), 400, 'invalid_request');
    expectOAuthError(await token({ grant_type: 'refresh_token' }), 400, 'invalid_request');
    expectOAuthError(
      await token({ grant_type: 'refresh_token', refresh_token: '' }),
      400,
      'invalid_request',
    );
  });

  it('answers a parameter sent twice (RFC 6749 §3.2) with invalid_request, as a malformed body', async () => {
    const { refreshToken } = await registerAndLogin(context.auth.url);
    expectOAuthError(
      await token({ grant_type: 'refresh_token', refresh_token: [refreshToken, refreshToken] }),
      400,
      'invalid_request',
      'malformed_body',
    );
    // The same token sent once still works: nothing was spent.
    expect((await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(
      200,
    );
  });

  it('answers other grant types with unsupported_grant_type', async () => {
    for (const grant of ['password', 'client_credentials', 'authorization_code'])
      expectOAuthError(await token({ grant_type: grant }), 400, 'unsupported_grant_type');
  });

  it('answers a scope with invalid_scope and a foreign client_id with invalid_client', async () => {
    const { refreshToken } = await registerAndLogin(context.auth.url);
    const grant = { grant_type: 'refresh_token', refresh_token: refreshToken };
    expectOAuthError(await token({ ...grant, scope: 'admin' }), 400, 'invalid_scope');
    expectOAuthError(await token({ ...grant, client_id: 'someone-else' }), 401, 'invalid_client');
    expect((await token(grant)).status).toBe(200);
  });

  it('answers garbage and an access token posted as a refresh token with invalid_grant', async () => {
    const { token: accessToken } = await registerAndLogin(context.auth.url);
    for (const garbage of ['nope', accessToken, `aprt_${'A'.repeat(43)}`])
      expectOAuthError(
        await token({ grant_type: 'refresh_token', refresh_token: garbage }),
        400,
        'invalid_grant',
      );
  });

  it('answers a body it cannot read in the OAuth format, keeping the precise code', async () => {
    const response = await request(`${context.auth.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'grant_type=refresh_token',
    });
    expectOAuthError(response, 415, 'invalid_request', 'unsupported_media_type');
  });
});
