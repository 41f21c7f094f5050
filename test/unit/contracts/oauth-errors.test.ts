import { ERROR_CODES, ERROR_STATUS, oauthErrorFor } from '@authpair/contracts';
import { HttpProblem } from '@authpair/service-kit';

describe('OAuth error responses (RFC 6749 §5.2)', () => {
  it('keeps the OAuth codes, and maps the rest by status', () => {
    expect(oauthErrorFor('invalid_grant', 400)).toBe('invalid_grant');
    expect(oauthErrorFor('unsupported_grant_type', 400)).toBe('unsupported_grant_type');
    expect(oauthErrorFor('invalid_client', 401)).toBe('invalid_client');
    expect(oauthErrorFor('unsupported_media_type', 415)).toBe('invalid_request');
    expect(oauthErrorFor('payload_too_large', 413)).toBe('invalid_request');
    expect(oauthErrorFor('service_unavailable', 503)).toBe('temporarily_unavailable');
    expect(oauthErrorFor('internal_error', 500)).toBe('server_error');
  });

  it('gives every code an OAuth error', () => {
    for (const code of ERROR_CODES)
      expect(oauthErrorFor(code, ERROR_STATUS[code])).toMatch(/^[a-z_]+$/);
  });

  it('carries error and error_description beside the problem members, in OAuth’s character set', () => {
    const body = new HttpProblem('invalid_grant', 'the "token" is \\ gone — ünicode').toOAuthBody(
      '/token',
      'req-1',
    );
    expect(body).toEqual({
      error: 'invalid_grant',
      error_description: 'the token is  gone  nicode',
      type: 'tag:authpair,2026:problem:invalid_grant',
      title: 'The refresh token is invalid',
      status: 400,
      detail: 'the "token" is \\ gone — ünicode',
      code: 'invalid_grant',
      instance: '/token',
    });
  });
});
