import { AUTH_API, buildOpenApiDocument } from '@authpair/contracts';
import {
  apiDocumentRoutes,
  corsPolicy,
  createDraining,
  createMetricsRegistry,
  type Draining,
  errorHandler,
  healthRoutes,
  httpMetrics,
  type Logger,
  metricsRoutes,
  publicSecretsNotice,
  type ReadinessCheck,
  type Registry,
  type RequestState,
  requestContext,
  type StartupStep,
  securityHeaders,
  servedElsewhere,
} from '@authpair/service-kit';
import Koa from 'koa';
import type { Pool } from 'pg';
import { createAuditTrail } from './audit/audit-trail';
import type { AuthConfig } from './config';
import { classifyDatabaseError } from './db/errors';
import { migrate } from './db/migrate';
import { createPool, waitForDatabase } from './db/pool';
import { requireSession } from './http/authenticate';
import { INTERNAL_PATH_PREFIX, internalApp } from './http/internal-app';
import { createOutcomeMetrics } from './http/outcome-metrics';
import { requireAdmin } from './http/require-admin';
import { adminRoutes } from './http/routes/admin';
import { discoveryRoutes } from './http/routes/discovery';
import { internalRoutes } from './http/routes/internal';
import { oauthRoutes } from './http/routes/oauth';
import { sessionRoutes } from './http/routes/sessions';
import { userRoutes } from './http/routes/users';
import { createThrottles } from './http/throttle';
import type { KeyRing } from './keys/key-ring';
import { createSigningKeys, type SigningKeys, signingKeysReadiness } from './keys/signing-keys';
import { createRateLimits } from './rate-limit/limits';
import { createTokenRefresher } from './sessions/refresh';
import { createRevocationFeed } from './sessions/revocation-feed';
import { createSessionMetrics } from './sessions/session-metrics';
import { SessionPurger } from './sessions/session-purge';
import { createSessionService } from './sessions/session-service';
import { createAccessTokenIssuer } from './tokens/access-token';
import { createLocalTokenVerifier } from './tokens/local-token-verifier';
import { CommonPasswords } from './users/common-passwords';
import { createPasswordChanger } from './users/password-change';
import { PasswordHasher } from './users/password-hasher';
import { passwordHashMetrics } from './users/password-metrics';
import { createUserAdministration } from './users/user-admin';
import { createUserService } from './users/user-service';

/**
 * How far back the revocation feed reaches beyond the access-token lifetime:
 * covers the resource services' clock tolerance (at most 30 s) and skew.
 */
const FEED_MARGIN_SECONDS = 60;

/** How often each replica tries to purge ended sessions (one of them does, under a lock). */
const SESSION_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** The assembled auth service: wired, not started (see `startup`), not listening. */
export interface AuthService {
  /** The Koa app; `app.callback()` serves requests without a port in tests. */
  app: Koa<RequestState>;
  pool: Pool;
  keys: KeyRing;
  /** The signing keys' lifecycle and scheduler (the ring above is `signingKeys.ring`). */
  signingKeys: SigningKeys;
  /** Deletes sessions ended more than SESSION_RETENTION_DAYS ago, hourly; `purge()` runs it now. */
  sessionPurger: SessionPurger;
  /** This instance's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  /** Begun on SIGTERM: `/readyz` says unready while the instance still serves (see main.ts). */
  draining: Draining;
  /** With `INTERNAL_PORT`: the app serving `/internal/*` there (start.ts listens); else undefined. */
  internalApp: Koa<RequestState> | undefined;
  /**
   * What must happen before the service may serve, in order: the I/O the
   * wiring leaves out (start.ts runs it with `runStartup`, logging each step).
   */
  startup: readonly StartupStep[];
  /**
   * Stops the timers, releases the pool and the hashing threads: whatever
   * `startup` got to. Call after the server stopped, once.
   */
  close(): Promise<void>;
}

/**
 * The composition root: pool -> queries -> services -> routes -> Koa. It
 * builds objects only: no connection, no thread, no timer, no file read
 * (the steps in `startup` do those), so a test can wire the service the
 * way production does and decide what to start. The production entry point
 * and the tests both call this, so what is tested is what runs. Nothing
 * here is a module-level singleton.
 */
export function createAuthService(config: AuthConfig, logger: Logger): AuthService {
  const metrics = createMetricsRegistry('auth');
  const pool = createPool(config.database, logger);
  const hasher = new PasswordHasher({
    cost: config.passwords.bcryptCost,
    pepper: config.passwords.pepper,
    observe: passwordHashMetrics(metrics),
  });
  const commonPasswords = new CommonPasswords();
  const signingKeys = createSigningKeys(pool, config, logger, metrics);
  const keys = signingKeys.ring;

  const users = createUserService({ pool, hasher, logger });
  const tokens = createAccessTokenIssuer(config.tokens, keys);
  const limits = createRateLimits(pool, config.rateLimits, {
    secret: config.passwords.pepper,
    logger,
  });
  const throttles = createThrottles({ limits, metrics, logger });
  const sessionMetrics = createSessionMetrics(metrics);
  const sessionDeps = {
    pool,
    tokens,
    settings: config.sessions,
    metrics: sessionMetrics,
    logger,
  };
  const sessions = createSessionService(sessionDeps);
  const refresher = createTokenRefresher({ ...sessionDeps, sessions });
  const verifier = createLocalTokenVerifier(config.tokens, keys);
  const changePassword = createPasswordChanger({
    pool,
    hasher,
    endOtherSessions: (db, userId, keepSessionId, audit) =>
      sessions.endWithin(db, { userId, exceptSessionId: keepSessionId }, 'password_changed', audit),
  });
  const administration = createUserAdministration({ pool, endSessions: sessions.endWithin });
  const authenticate = requireSession({ verifier, sessions, realm: config.realm });
  const sessionPurger = new SessionPurger(
    pool,
    logger,
    { retentionDays: config.sessions.retentionDays, intervalMs: SESSION_PURGE_INTERVAL_MS },
    sessionMetrics.purged,
  );

  const app = new Koa<RequestState>({
    proxy: config.trustProxy,
    // Only the addresses our own proxies appended, counted from the right: the rest is the client's to forge.
    proxyIpHeader: config.proxy.ipHeader,
    maxIpsCount: config.proxy.hops,
  });
  app.silent = true; // errors are logged by the error handler, with the request id
  app.use(requestContext(logger));
  const httpDurations = httpMetrics(metrics);
  app.use(httpDurations);
  app.use(securityHeaders());
  app.use(corsPolicy(config.corsAllowedOrigins));
  app.use(errorHandler({ classify: classifyDatabaseError }));
  const draining = createDraining();
  const readinessChecks: Record<string, ReadinessCheck> = {
    postgres: async () => {
      await pool.query('SELECT 1');
      return { status: 'up' };
    },
    signing_keys: signingKeysReadiness(signingKeys, config.keys.refreshIntervalMs),
    ...publicSecretsNotice(config.publicSecrets, logger),
  };
  const internal = internalRoutes({
    feed: createRevocationFeed({
      pool,
      windowSeconds: config.tokens.accessTokenTtl + FEED_MARGIN_SECONDS,
    }),
    feedToken: config.revocationFeed.token,
  });
  // With INTERNAL_PORT, /internal/* leaves this port for its own listener (start.ts).
  const internalElsewhere = config.internalListener !== undefined;
  const omitMetrics = servedElsewhere(config.metricsListener);
  for (const router of [
    healthRoutes(readinessChecks, { draining }),
    discoveryRoutes({ issuer: config.tokens.issuer, keys, maxAge: config.keys.jwksMaxAge }),
    userRoutes({
      users,
      sessions,
      outcomes: createOutcomeMetrics(metrics),
      throttles,
      commonPasswords,
    }),
    oauthRoutes({ refresher, sessions, verifier, clientId: config.tokens.clientId }),
    sessionRoutes({ sessions, authenticate, changePassword, throttles, commonPasswords }),
    adminRoutes({
      users: administration,
      sessions,
      audit: createAuditTrail({ pool }),
      authorize: [authenticate, requireAdmin(administration)],
    }),
    ...(internalElsewhere ? [] : [internal]),
    apiDocumentRoutes(
      buildOpenApiDocument(AUTH_API, {
        omit: (operation) =>
          omitMetrics(operation) ||
          (internalElsewhere && operation.path.startsWith(INTERNAL_PATH_PREFIX)),
      }),
    ),
    // With METRICS_PORT, /metrics leaves this port for its own listener (start.ts).
    ...(config.metricsListener === undefined ? [metricsRoutes(metrics)] : []),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  return {
    app,
    pool,
    keys,
    signingKeys,
    sessionPurger,
    metrics,
    draining,
    internalApp: internalElsewhere
      ? internalApp({ routes: internal, logger, httpDurations })
      : undefined,
    startup: [
      {
        // The list and the dummy hash first: neither needs the database, and a login
        // of an unknown user must not be the one that pays for the dummy hash.
        name: 'passwords ready',
        run: () => Promise.all([commonPasswords.read(), hasher.prepare()]).then(() => {}),
      },
      {
        name: 'database reachable',
        run: () => waitForDatabase(pool, config.database.startupTimeoutMs, logger),
      },
      { name: 'migrated', run: () => migrate(pool, logger) },
      { name: 'keys loaded', run: () => signingKeys.load() },
      {
        name: 'timers started',
        run() {
          signingKeys.startTimers();
          sessionPurger.start();
          limits.start();
        },
      },
    ],
    async close() {
      // Settled, not all: a failing stop must not keep the pool and the threads open.
      await Promise.allSettled([signingKeys.stop(), sessionPurger.stop()]);
      limits.close();
      await Promise.allSettled([hasher.close(), pool.end()]);
    },
  };
}
