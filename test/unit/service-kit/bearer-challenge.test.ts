import { bearerChallenge } from '@authpair/service-kit';

describe('WWW-Authenticate (RFC 6750 §3)', () => {
  it('has no error code when no credentials were sent', () => {
    expect(bearerChallenge('authpair')).toBe('Bearer realm="authpair"');
  });

  it('names the error, and strips characters a quoted-string cannot hold', () => {
    expect(
      bearerChallenge('authpair', {
        code: 'invalid_token',
        description: 'the "exp" claim\\ failed',
      }),
    ).toBe(
      'Bearer realm="authpair", error="invalid_token", error_description="the exp claim failed"',
    );
  });
});
