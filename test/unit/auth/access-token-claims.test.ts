import { buildAccessTokenClaims } from '../../../services/auth/src/tokens/access-token';

const settings = {
  issuer: 'https://id.example.com',
  audience: 'api',
  clientId: 'web',
  accessTokenTtl: 900,
};

describe('access-token claims (RFC 9068)', () => {
  it('carries iss, sub, aud, exp, iat, jti, client_id and username', () => {
    const claims = buildAccessTokenClaims(
      settings,
      { userId: 'u-1', username: 'alice' },
      1_000_000,
      'jti-1',
    );
    expect(claims).toEqual({
      iss: 'https://id.example.com',
      sub: 'u-1',
      aud: 'api',
      exp: 1_000_900,
      iat: 1_000_000,
      jti: 'jti-1',
      client_id: 'web',
      username: 'alice',
    });
  });

  it('adds scope and sid only when there are some', () => {
    const none = buildAccessTokenClaims(
      settings,
      { userId: 'u', username: 'a', scope: '' },
      0,
      'j',
    );
    expect(none).not.toHaveProperty('scope');
    expect(none).not.toHaveProperty('sid');
    const some = buildAccessTokenClaims(
      settings,
      { userId: 'u', username: 'a', scope: 'user admin', sessionId: 's-1' },
      0,
      'j',
    );
    expect(some.scope).toBe('user admin');
    expect(some.sid).toBe('s-1');
  });

  it('never lets the token outlive the refresh token it was issued with', () => {
    const capped = buildAccessTokenClaims(
      settings,
      { userId: 'u', username: 'a', notAfter: new Date(1_000_060_500) },
      1_000_000,
      'j',
    );
    expect(capped.exp).toBe(1_000_060);
    const uncapped = buildAccessTokenClaims(
      settings,
      { userId: 'u', username: 'a', notAfter: new Date(2_000_000_000) },
      1_000_000,
      'j',
    );
    expect(uncapped.exp).toBe(1_000_900);
  });
});
