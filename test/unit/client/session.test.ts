import {
  asTokenResponse,
  deserialize,
  refreshMarginMs,
  serialize,
  sessionFrom,
} from '../../../packages/client/src/session';

const jwt = (claims: object) =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

describe('the refresh point', () => {
  it('is 60 s before expiry for long-lived tokens', () => {
    expect(refreshMarginMs(900)).toBe(60_000);
    expect(refreshMarginMs(240)).toBe(60_000);
  });

  it('is a quarter of the lifetime for short ones, so a 30 s token is not refreshed in a loop', () => {
    expect(refreshMarginMs(30)).toBe(7_500);
    expect(refreshMarginMs(120)).toBe(30_000);
  });
});

describe('a session from a token response', () => {
  it('expires expires_in after the request was sent, whatever the token says its exp is', () => {
    const tokens = {
      access_token: jwt({ sub: 'u1', username: 'alice', sid: 's1', exp: 1 }),
      token_type: 'Bearer' as const,
      expires_in: 30,
      refresh_token: 'aprt_1',
    };
    const session = sessionFrom(tokens, 1_000_000, 7);
    expect(session).toMatchObject({
      expiresAt: 1_030_000,
      refreshAt: 1_022_500,
      sessionId: 's1',
      user: { id: 'u1', username: 'alice' },
      refreshToken: 'aprt_1',
      version: 7,
    });
  });

  it('keeps the previous refresh token when a refresh answer carries none (RFC 6749 §6)', () => {
    const tokens = { access_token: jwt({}), token_type: 'Bearer' as const, expires_in: 60 };
    expect(sessionFrom(tokens, 0, 1, 'aprt_old').refreshToken).toBe('aprt_old');
  });

  it('takes an opaque access token, with no user to show', () => {
    const tokens = { access_token: 'opaque', token_type: 'Bearer' as const, expires_in: 60 };
    expect(sessionFrom(tokens, 0, 1).user).toBeUndefined();
  });
});

describe('token responses', () => {
  it.each([
    ['no access token', { token_type: 'Bearer', expires_in: 60 }],
    ['another token type', { access_token: 'a', token_type: 'MAC', expires_in: 60 }],
    ['no expires_in', { access_token: 'a', token_type: 'Bearer' }],
    ['a zero lifetime', { access_token: 'a', token_type: 'Bearer', expires_in: 0 }],
    ['expires_in as a string', { access_token: 'a', token_type: 'Bearer', expires_in: '60' }],
    [
      'a refresh token that is no string',
      { access_token: 'a', token_type: 'Bearer', expires_in: 60, refresh_token: 1 },
    ],
    ['an array', []],
  ])('are refused with %s', (_, body) => {
    expect(asTokenResponse(body)).toBeUndefined();
  });
});

describe('stored sessions', () => {
  it('read back what was written', () => {
    const session = sessionFrom(
      { access_token: jwt({ sid: 's' }), token_type: 'Bearer', expires_in: 60 },
      0,
      1,
      'aprt_1',
    );
    expect(deserialize(serialize(session))).toEqual(session);
  });

  it.each([
    ['nothing', null],
    ['not JSON', '{'],
    ['another format', JSON.stringify({ v: 2, accessToken: 'a' })],
    [
      'a number where a time belongs',
      JSON.stringify({
        v: 1,
        accessToken: 'a',
        expiresIn: 1,
        expiresAt: 'soon',
        refreshAt: 0,
        version: 0,
      }),
    ],
  ])('are absent when storage holds %s', (_, text) => {
    expect(deserialize(text)).toBeUndefined();
  });
});
