import { AuthpairError, ERROR_CODES, errorDefinition, oauthErrorFor } from '@authpair/contracts';
import { oauthErrorBody } from '@authpair/service-kit';

describe('OAuth error responses (RFC 6749 §5.2)', () => {
  it('keeps the OAuth codes, and maps the rest by status', () => {
    expect(oauthErrorFor('invalid_grant')).toBe('invalid_grant');
    expect(oauthErrorFor('unsupported_grant_type')).toBe('unsupported_grant_type');
    expect(oauthErrorFor('invalid_client')).toBe('invalid_client');
    expect(oauthErrorFor('unsupported_media_type')).toBe('invalid_request');
    expect(oauthErrorFor('payload_too_large')).toBe('invalid_request');
    expect(oauthErrorFor('service_unavailable')).toBe('temporarily_unavailable');
    expect(oauthErrorFor('internal_error')).toBe('server_error');
    expect(oauthErrorFor('revocation_unavailable')).toBe('server_error');
  });

  it('gives every code an OAuth error of its status class', () => {
    for (const code of ERROR_CODES) {
      const error = oauthErrorFor(code);
      if (errorDefinition(code).status >= 500)
        expect(['server_error', 'temporarily_unavailable']).toContain(error);
      else expect(['server_error', 'temporarily_unavailable']).not.toContain(error);
    }
  });

  it('carries error and error_description beside the problem members, in OAuth’s character set', () => {
    const error = new AuthpairError('invalid_grant', 'the "token" is \\ gone — ünicode', {
      reason: 'expired',
    });
    expect(oauthErrorBody(error, '/token', 'req-1')).toEqual({
      error: 'invalid_grant',
      error_description: 'the token is  gone  nicode',
      type: 'tag:authpair,2026:problem:invalid_grant',
      title: 'The refresh token is invalid',
      status: 400,
      detail: 'the "token" is \\ gone — ünicode',
      code: 'invalid_grant',
      reason: 'expired',
      instance: '/token',
    });
  });
});
