import { type ErrorCode, PROBLEM_CONTENT_TYPE, problemType } from '@authpair/contracts';
import type { ReadResponse } from './http';

/** An RFC 9457 problem with this status and code, and nothing cacheable about it. */
export function expectProblem(response: ReadResponse, status: number, code: ErrorCode): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  expect(response.body).toMatchObject({ type: problemType(code), status, code });
  expect(response.headers.get('cache-control')).toBe('no-store');
}

/** RFC 6750 §3.1: 401, a challenge naming `invalid_token` with a description, and the problem body. */
export function expectInvalidToken(response: ReadResponse, realm = 'authpair'): void {
  expectProblem(response, 401, 'invalid_token');
  expect(response.headers.get('www-authenticate')).toMatch(
    new RegExp(`^Bearer realm="${realm}", error="invalid_token", error_description="[^"]+"$`),
  );
}

/** RFC 6750 §3.1: no credentials sent, so the challenge carries no error code. */
export function expectBareChallenge(response: ReadResponse, realm = 'authpair'): void {
  expectProblem(response, 401, 'missing_credentials');
  expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${realm}"`);
}

/** 400 `validation_failed` whose `errors` name exactly these fields and reasons. */
export function expectFieldErrors(response: ReadResponse, errors: Record<string, string>): void {
  expectProblem(response, 400, 'validation_failed');
  const actual = Object.fromEntries(
    (response.body.errors as { field: string; reason: string }[]).map(({ field, reason }) => [
      field,
      reason,
    ]),
  );
  expect(actual).toEqual(errors);
}
