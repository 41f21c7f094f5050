import { AuthpairError } from '@authpair/contracts';
import { Counter, type Logger, type Registry } from '@authpair/service-kit';
import type { Context, Middleware, Next } from 'koa';
import { addressKey } from '../rate-limit/client-address';
import type { Limit, LimitName, RateLimits, Refusal } from '../rate-limit/limits';
import { WrongCurrentPasswordError } from '../users/password-change';
import { UsernameTakenError } from '../users/user-queries';
import { InvalidCredentialsError } from '../users/user-service';
import { canonicalUsername } from '../users/username';

/** The throttling middleware of each route that has one. */
export interface Throttles {
  /** `POST /login`: failed logins per account and per client address. */
  login: Middleware;
  /** `POST /register`: registration attempts per client address. */
  registration: Middleware;
  /** `POST /password`: a wrong current password is a failed login of the account. */
  passwordChange: Middleware;
}

export interface ThrottleDeps {
  limits: RateLimits;
  metrics: Registry;
  logger: Logger;
}

/**
 * Brute-force and stuffing throttles (OWASP ASVS 6.3.1, NIST SP 800-63B
 * §5.2.2). Each attempt is counted before it runs, atomically in
 * PostgreSQL, so parallel attempts and other replicas cannot slip past the
 * limit; afterwards the count is given back when the attempt was not one
 * the throttle is about. Mount after `readBody`, before the handler.
 */
export function createThrottles({ limits, metrics, logger }: ThrottleDeps): Throttles {
  const limited = new Counter({
    name: 'auth_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [metrics],
  });

  /**
   * Takes one attempt from every limit, or from none. A limit that already
   * refuses is found by reading first, so an attempt it refuses takes
   * nothing from the others: otherwise an address over its limit could go
   * on using up any account's allowance with 429s (and colleagues retrying
   * a blocked account behind one NAT, their office's). Two attempts can
   * still race past the reads; then what the refused one took is given
   * back. The 429 waits for the longest.
   */
  async function admit(ctx: Context, taken: [Limit, string][]): Promise<void> {
    const blocked = await Promise.all(taken.map(([limit, key]) => limit.blockedFor(key)));
    if (blocked.some((refusal) => refusal !== undefined)) refuse(ctx, taken, blocked);
    const results = await Promise.allSettled(taken.map(([limit, key]) => limit.take(key)));
    const admitted = taken.filter((_, index) => {
      const result = results[index];
      return result?.status === 'fulfilled' && result.value === undefined;
    });
    if (admitted.length === taken.length) return;
    await settle(
      admitted.map(([limit, key]) => limit.giveBack(key)),
      admitted.map(([limit]) => limit.name),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    refuse(
      ctx,
      taken,
      results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)),
    );
  }

  /** Answers 429 for the limits that refused (undefined: admitted); the wait is the longest. */
  function refuse(
    ctx: Context,
    taken: [Limit, string][],
    refusals: (Refusal | undefined)[],
  ): never {
    let retryAfter = 0;
    refusals.forEach((refusal, index) => {
      if (refusal === undefined) return;
      const name = (taken[index] as [Limit, string])[0].name;
      limited.inc({ limit: name });
      retryAfter = Math.max(retryAfter, refusal.retryAfter);
      ctx.state.log?.info(
        {
          limit: name,
          address: ctx.ip,
          retry_after: refusal.retryAfter,
          in_flight: refusal.inFlight,
        },
        'rate limited',
      );
    });
    throw new AuthpairError('rate_limited', `too many attempts; retry in ${retryAfter} s`, {
      retryAfterSeconds: retryAfter,
    });
  }

  /** Settles the counts after the attempt; a failure here must not fail the answer. */
  async function settle(work: Promise<unknown>[], name: LimitName[]): Promise<void> {
    const results = await Promise.allSettled(work);
    results.forEach((result, index) => {
      if (result.status === 'rejected')
        logger.warn({ err: result.reason, limit: name[index] }, 'rate-limit count not settled');
    });
  }

  return {
    /**
     * Counts failed logins per account (the canonical username, whether or
     * not it exists: counting only real accounts would make the 429 itself
     * say which names exist) and per client address. A successful login
     * resets its account's count and gives the address its attempt back;
     * an attempt refused for another reason (400, 503) gives both back.
     */
    login: async function throttleLogin(ctx: Context, next: Next) {
      const username = (ctx.request.body as { username?: unknown } | undefined)?.username;
      // Not a string: the handler answers 400 without checking any password.
      if (typeof username !== 'string') return next();
      const account = canonicalUsername(username);
      const address = addressKey(ctx.ip);
      const { loginAccount, loginAddress } = limits;
      await admit(ctx, [
        [loginAccount, account],
        [loginAddress, address],
      ]);
      let failed = false;
      try {
        await next();
      } catch (error) {
        failed = error instanceof InvalidCredentialsError;
        throw error;
      } finally {
        const succeeded = !failed && ctx.status < 400;
        await settle(
          failed
            ? [loginAccount.failed(account), loginAddress.failed(address)]
            : [
                succeeded ? loginAccount.clear(account) : loginAccount.giveBack(account),
                loginAddress.giveBack(address),
              ],
          [loginAccount.name, loginAddress.name],
        );
      }
    },

    /**
     * Counts registration attempts per client address: each one costs a
     * bcrypt hash, and its 409 tells whether a name exists. Attempts refused
     * before reaching the user store (400, 503) are given back.
     */
    registration: async function throttleRegistration(ctx: Context, next: Next) {
      const address = addressKey(ctx.ip);
      const { registrationAddress } = limits;
      await admit(ctx, [[registrationAddress, address]]);
      try {
        await next();
      } catch (error) {
        if (!(error instanceof UsernameTakenError))
          await settle([registrationAddress.giveBack(address)], [registrationAddress.name]);
        throw error;
      }
    },

    /**
     * Counts a wrong current password against the account's failed-login
     * budget: an access token must not buy unlimited guesses at the password
     * behind it. Mount after the session is authenticated and the body read.
     */
    passwordChange: async function throttlePasswordChange(ctx: Context, next: Next) {
      const username = (ctx.state as { principal?: { username?: unknown } }).principal?.username;
      if (typeof username !== 'string') return next();
      const account = canonicalUsername(username);
      const { loginAccount } = limits;
      await admit(ctx, [[loginAccount, account]]);
      let failed = false;
      try {
        await next();
      } catch (error) {
        failed = error instanceof WrongCurrentPasswordError;
        throw error;
      } finally {
        const succeeded = !failed && ctx.status < 400;
        await settle(
          [
            failed
              ? loginAccount.failed(account)
              : succeeded
                ? loginAccount.clear(account)
                : loginAccount.giveBack(account),
          ],
          [loginAccount.name],
        );
      }
    },
  };
}
