import { HttpProblem } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import { isDatabaseUnavailable } from '../db/errors';
import { KeyRingUnavailableError } from '../keys/key-ring';
import { PasswordHasherBusyError } from '../users/password-hasher';

/** Seconds a client should wait before retrying after a dependency failure. */
const RETRY_AFTER_SECONDS = '5';

/**
 * Turns "a dependency cannot serve this now" into a 503 with Retry-After:
 * PostgreSQL down or timing out, the signing keys unusable on this replica,
 * or the password-hashing queue full. These
 * are expected in operation and must not look like bugs (500).
 */
export function dependencyErrors(): Middleware {
  return async function mapDependencyErrors(_ctx, next) {
    try {
      await next();
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        throw new HttpProblem('service_unavailable', 'the database is unavailable; retry later', {
          headers: { 'Retry-After': RETRY_AFTER_SECONDS },
          cause: error,
        });
      }
      if (error instanceof KeyRingUnavailableError) {
        throw new HttpProblem(
          'service_unavailable',
          'the signing keys are unavailable; retry later',
          {
            headers: { 'Retry-After': RETRY_AFTER_SECONDS },
            cause: error,
          },
        );
      }
      if (error instanceof PasswordHasherBusyError) {
        throw new HttpProblem('service_unavailable', 'the service is busy; retry later', {
          headers: { 'Retry-After': '1' },
          cause: error,
        });
      }
      throw error;
    }
  };
}
