import {
  AuthpairError,
  bearerTokenOf,
  hasAccessTokenInQuery,
  insufficientScope,
  problemResponse,
} from '@authpair/contracts';

function codeOf(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    return (error as AuthpairError).code;
  }
}

describe('bearer credentials (RFC 6750 §2.1)', () => {
  it('reads the token of a well-formed header, whatever the case of the scheme', () => {
    expect(bearerTokenOf('Bearer abc.def-_~+/=', false)).toBe('abc.def-_~+/=');
    expect(bearerTokenOf('bearer   abc ', false)).toBe('abc');
  });

  it.each([
    [undefined, 'missing_credentials'],
    ['', 'missing_credentials'],
    ['Basic YWxpY2U6c2VjcmV0', 'missing_credentials'],
    ['Bearer', 'invalid_token'],
    ['Bearer a b', 'invalid_token'],
    ['Bearer abc!', 'invalid_token'],
  ])('answers the header %p with %s', (header, code) => {
    expect(codeOf(() => bearerTokenOf(header, false))).toBe(code);
  });

  it('refuses a token in the query string, with or without a header', () => {
    expect(codeOf(() => bearerTokenOf('Bearer abc', true))).toBe('invalid_request');
    expect(codeOf(() => bearerTokenOf(undefined, true))).toBe('invalid_request');
  });

  it.each([
    ['/p', false],
    ['/p?x=1', false],
    ['/p?access_token=t', true],
    ['/p?a=1&access_token', true],
    ['/p?access%5Ftoken=t', true],
    ['/p?my_access_token=t', false],
  ])('finds access_token in the query of %s: %p', (target, expected) => {
    expect(hasAccessTokenInQuery(target)).toBe(expected);
  });
});

describe('the problem answer of a bearer-protected route', () => {
  it('carries the challenge, no-store and the problem type, and the scope when one is missing', () => {
    const answer = problemResponse(insufficientScope('admin'), { realm: 'r', instance: '/x' });
    expect(answer.status).toBe(403);
    expect(answer.headers).toEqual({
      'WWW-Authenticate':
        'Bearer realm="r", error="insufficient_scope", error_description="this needs an access token with the admin scope", scope="admin"',
      'Cache-Control': 'no-store',
      'Content-Type': 'application/problem+json',
    });
    expect(answer.body).toMatchObject({ code: 'insufficient_scope', instance: '/x', status: 403 });
  });

  it('sends Retry-After with a retryable error, and no request id when there is none', () => {
    const error = new AuthpairError('jwks_unavailable', 'retry', { retryAfterSeconds: 7 });
    const answer = problemResponse(error, { realm: 'r', instance: '/x' });
    expect(answer.headers['Retry-After']).toBe('7');
    expect(answer.body).not.toHaveProperty('request_id');
  });
});
