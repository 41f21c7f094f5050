import { ERROR_CODES, ERROR_STATUS, problemType } from '@authpair/contracts';
import { HttpProblem, toHttpProblem } from '@authpair/service-kit';

describe('problem details', () => {
  it('gives every code a status and a stable type URI', () => {
    for (const code of ERROR_CODES) {
      const problem = new HttpProblem(code);
      expect(problem.status).toBe(ERROR_STATUS[code]);
      expect(problem.toBody('/x', 'req-1').type).toBe(problemType(code));
    }
  });

  it('puts the request id on a 5xx and nothing internal', () => {
    const body = toHttpProblem(
      new Error('connection to 10.0.0.5 refused: password for user admin'),
    ).toBody('/login', 'req-9');
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
    const body = new HttpProblem('validation_failed', 'password too short', {
      errors: [{ field: 'password', reason: 'must be at least 8 characters' }],
    }).toBody('/register', 'req-1');
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
    expect(toHttpProblem(thrown).code).toBe(code);
  });
});
