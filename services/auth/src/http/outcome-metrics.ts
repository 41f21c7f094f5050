import { isAuthpairError } from '@authpair/contracts';
import { Counter, type Registry } from '@authpair/service-kit';
import type { Middleware } from 'koa';

/** How a login ended. `rejected`: a 4xx before any password check (a bad body); `error`: a 5xx. */
const LOGIN_OUTCOMES = [
  'success',
  'invalid_credentials',
  'account_disabled',
  'rate_limited',
  'rejected',
  'error',
] as const;

/** How a registration ended. */
const REGISTRATION_OUTCOMES = [
  'created',
  'username_taken',
  'rate_limited',
  'rejected',
  'error',
] as const;

/** Middleware counting each answer of one route by outcome. */
export interface OutcomeMetrics {
  login: Middleware;
  registration: Middleware;
}

/**
 * `logins_total{outcome}` and `registrations_total{outcome}`. Each counter
 * is a middleware mounted first on its route, so it sees every answer,
 * those of the throttle and the body reader included; every label value is
 * present from the start (at 0), so rates work before the first event.
 */
export function createOutcomeMetrics(registry: Registry): OutcomeMetrics {
  function counted<const Outcome extends string>(
    name: string,
    help: string,
    outcomes: readonly Outcome[],
    success: Outcome,
  ): Middleware {
    const counter = new Counter({
      name,
      help,
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    for (const outcome of outcomes) counter.inc({ outcome }, 0);
    const known = new Set<string>(outcomes);
    return async function countOutcome(_ctx, next) {
      try {
        await next();
        counter.inc({ outcome: success });
      } catch (error) {
        const code = isAuthpairError(error) ? error.code : 'internal_error';
        const status = isAuthpairError(error) ? error.status : 500;
        const outcome = known.has(code) ? code : status >= 500 ? 'error' : 'rejected';
        counter.inc({ outcome });
        throw error;
      }
    };
  }

  return {
    login: counted('logins_total', 'Password logins by outcome', LOGIN_OUTCOMES, 'success'),
    registration: counted(
      'registrations_total',
      'Registrations by outcome',
      REGISTRATION_OUTCOMES,
      'created',
    ),
  };
}
