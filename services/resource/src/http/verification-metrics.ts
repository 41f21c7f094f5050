import type { VerificationCounts } from '@authpair/contracts';
import { Counter, HttpProblem, type Registry } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import type { AuthenticatedState } from './bearer';

type Outcome = keyof VerificationCounts;
const OUTCOMES: Outcome[] = ['valid', 'invalid', 'missing', 'revoked', 'unavailable'];

/** What became of a request's token, from how the verification steps let it through or refused it. */
function outcomeOf(error: unknown, verified: boolean): Outcome {
  if (error === undefined) return 'valid';
  switch (error instanceof HttpProblem ? error.code : undefined) {
    case 'missing_credentials':
      return 'missing';
    case 'invalid_request':
      return 'invalid';
    // A verified token refused afterwards was refused by the revocation step.
    case 'invalid_token':
      return verified ? 'revoked' : 'invalid';
    case 'jwks_unavailable':
    case 'revocation_unavailable':
      return 'unavailable';
    default:
      // Refused later for another reason (a scope): the token itself was good.
      return verified ? 'valid' : 'unavailable';
  }
}

/** Counts every token the protected routes are shown, by outcome. */
export interface VerificationMetrics {
  /** Mount first on each protected route, before the verification steps. */
  count: Middleware<AuthenticatedState>;
  /** This replica's counts since it started. */
  counts(): VerificationCounts;
}

/**
 * `token_verifications_total{outcome}`: `valid`, `invalid` (forged,
 * expired, malformed, another audience; a token in the query), `missing`,
 * `revoked` (verified, but its session ended) and `unavailable` (the keys
 * or the revocation list could not be known: 503). It wraps the steps
 * rather than living in them, so whatever they become (a cache of verified
 * tokens, say) every request is counted once.
 */
export function createVerificationMetrics(registry: Registry): VerificationMetrics {
  const counter = new Counter({
    name: 'token_verifications_total',
    help: 'Access tokens presented to protected routes, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const counts: VerificationCounts = {
    valid: 0,
    invalid: 0,
    missing: 0,
    revoked: 0,
    unavailable: 0,
  };
  for (const outcome of OUTCOMES) counter.inc({ outcome }, 0);
  const record = (outcome: Outcome) => {
    counts[outcome] += 1;
    counter.inc({ outcome });
  };
  return {
    count: async function countVerification(ctx, next) {
      try {
        await next();
      } catch (error) {
        record(outcomeOf(error, ctx.state.claims !== undefined));
        throw error;
      }
      record('valid');
    },
    counts: () => ({ ...counts }),
  };
}
