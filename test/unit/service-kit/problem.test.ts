import {
  AuthpairError,
  ERROR_CATALOGUE,
  ERROR_CODES,
  isAuthpairError,
  problemType,
} from '@authpair/contracts';
import { problemBody, problemHeaders, toAuthpairError } from '@authpair/service-kit';

describe('problem details', () => {
  it('gives every code its catalogue status and title, and a stable type URI', () => {
    for (const code of ERROR_CODES) {
      const error = new AuthpairError(code);
      const body = problemBody(error, '/x', 'req-1');
      expect(error.status).toBe(ERROR_CATALOGUE[code].status);
      expect(body).toMatchObject({
        type: problemType(code),
        title: ERROR_CATALOGUE[code].title,
        status: ERROR_CATALOGUE[code].status,
        code,
      });
    }
  });

  it('puts the request id on a 5xx and nothing internal', () => {
    const body = problemBody(
      toAuthpairError(new Error('connection to 10.0.0.5 refused: password for user admin')),
      '/login',
      'req-9',
    );
    expect(body).toEqual({
      type: problemType('internal_error'),
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
      instance: '/login',
      request_id: 'req-9',
    });
  });

  it('keeps a 4xx free of a request id and carries field errors', () => {
    const body = problemBody(
      new AuthpairError('validation_failed', 'password too short', {
        errors: [{ field: 'password', reason: 'must be at least 8 characters' }],
      }),
      '/register',
      'req-1',
    );
    expect(body.request_id).toBeUndefined();
    expect(body.errors).toEqual([{ field: 'password', reason: 'must be at least 8 characters' }]);
  });

  it.each([
    [{ status: 413, type: 'entity.too.large' }, 'payload_too_large'],
    [{ status: 400, type: 'entity.parse.failed' }, 'malformed_body'],
    [{ status: 415, type: 'encoding.unsupported' }, 'unsupported_media_type'],
    [{ statusCode: 404 }, 'not_found'],
    [new TypeError('x is undefined'), 'internal_error'],
    ['a string', 'internal_error'],
  ])('maps a thrown %j to %s', (thrown, code) => {
    expect(toAuthpairError(thrown).code).toBe(code);
  });

  it('recognises an AuthpairError from another copy of the package by its shape', () => {
    const foreign = Object.assign(new Error('gone'), { code: 'invalid_token', detail: 'gone' });
    expect(isAuthpairError(foreign)).toBe(true);
    expect(isAuthpairError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('problem headers', () => {
  it('sends Retry-After with every retryable code, the error’s own wait first', () => {
    expect(
      problemHeaders(
        new AuthpairError('rate_limited', 'slow down', { retryAfterSeconds: 42 }),
        undefined,
      ),
    ).toEqual({ 'Retry-After': '42' });
    for (const code of ERROR_CODES) {
      const headers = problemHeaders(new AuthpairError(code), undefined);
      expect('Retry-After' in headers).toBe(
        (ERROR_CATALOGUE[code] as { retryable?: boolean }).retryable === true,
      );
    }
  });

  it('challenges only on a bearer-protected route, with the code the catalogue names', () => {
    const invalid = new AuthpairError('invalid_token', 'the token has expired');
    expect(problemHeaders(invalid, undefined)).toEqual({});
    expect(problemHeaders(invalid, 'authpair')).toEqual({
      'WWW-Authenticate':
        'Bearer realm="authpair", error="invalid_token", error_description="the token has expired"',
    });
    expect(problemHeaders(new AuthpairError('missing_credentials'), 'authpair')).toEqual({
      'WWW-Authenticate': 'Bearer realm="authpair"',
    });
    expect(
      problemHeaders(
        new AuthpairError('insufficient_scope', 'needs admin', { scope: 'admin' }),
        'r',
      ),
    ).toEqual({
      'WWW-Authenticate':
        'Bearer realm="r", error="insufficient_scope", error_description="needs admin", scope="admin"',
    });
    expect(problemHeaders(new AuthpairError('validation_failed'), 'authpair')).toEqual({});
  });
});
