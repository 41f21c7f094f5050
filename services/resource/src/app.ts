import { buildOpenApiDocument, RESOURCE_API } from '@authpair/contracts';
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
  type ReadinessCheck,
  type Registry,
  type RequestState,
  requestContext,
  securityHeaders,
  servedElsewhere,
} from '@authpair/service-kit';
import Koa from 'koa';
import type { ResourceConfig } from './config';
import { adminReportRoutes } from './http/routes/admin-reports';
import { protectedRoutes } from './http/routes/protected';
import { RevocationList } from './revocation/revocation-list';
import { createRevocationMetrics } from './revocation/revocation-metrics';
import { JwksCache } from './verify/jwks-cache';
import { createJwksMetrics } from './verify/jwks-metrics';
import { createVerificationMetrics } from './verify/verification-metrics';
import { AccessTokenVerifier } from './verify/verifier';

export interface ResourceService {
  app: Koa<RequestState>;
  jwks: JwksCache;
  verifier: AccessTokenVerifier;
  revocations: RevocationList;
  /** This instance's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  /** Begun on SIGTERM: `/readyz` says unready while the instance still serves (see main.ts). */
  draining: Draining;
  close(): Promise<void>;
}

export interface ResourceServiceOptions {
  /** The fetch used for the JWKS and the revocation feed; tests may wrap it to count requests. */
  fetch?: typeof fetch;
}

/** Beyond the verifier's own bounds, how long a revoked sid is kept: covers clock skew with the issuer. */
const REVOCATION_RETENTION_MARGIN_MS = 60_000;

/** The composition root: JWKS cache -> verifier -> routes -> Koa. No database. */
export async function createResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): Promise<ResourceService> {
  const metrics = createMetricsRegistry('resource');
  const jwksMetrics = createJwksMetrics(metrics);
  const jwks = new JwksCache(config.jwks, logger, options.fetch, jwksMetrics.observer);
  jwksMetrics.track(jwks);
  const verifier = new AccessTokenVerifier(config.tokens, jwks);
  const verificationMetrics = createVerificationMetrics(metrics);
  verificationMetrics.track(verifier.cache);
  const revocationMetrics = createRevocationMetrics(metrics);
  const revocations = new RevocationList(
    {
      ...config.revocations,
      // Past iat + max age (+ tolerance) the verifier refuses the token anyway.
      retentionMs:
        (config.tokens.maxTokenAge + config.tokens.clockTolerance) * 1000 +
        REVOCATION_RETENTION_MARGIN_MS,
    },
    logger,
    options.fetch,
    revocationMetrics.events,
  );
  revocationMetrics.observe(revocations);
  // Both first reads at once. Neither failure is fatal: the service starts, reports
  // unready, and keeps trying; tokens get 503 until both have been read.
  await Promise.all([jwks.start(), revocations.start()]);

  // No `proxy`: nothing here depends on the client's address, scheme or host.
  const app = new Koa<RequestState>();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders());
  app.use(corsPolicy(config.corsAllowedOrigins));
  app.use(errorHandler());
  const draining = createDraining();
  const readinessChecks: Record<string, ReadinessCheck> = {
    jwks: async () => {
      const { status: cache, ...facts } = jwks.snapshot();
      const status = cache === 'fresh' ? 'up' : cache === 'stale' ? 'degraded' : 'down';
      return { status, cache, ...facts };
    },
    revocations: async () => {
      const { status: list, ...facts } = revocations.snapshot();
      // Failing open keeps serving, so the instance stays in rotation, flagged.
      const outdated = config.revocations.failClosed ? 'down' : 'degraded';
      return { status: list === 'current' ? 'up' : outdated, list, ...facts };
    },
  };
  const health = healthRoutes(readinessChecks, { draining });
  const protectedDeps = {
    verifier,
    revocations,
    realm: config.realm,
    metrics: verificationMetrics,
  };
  const documents = apiDocumentRoutes(
    buildOpenApiDocument(RESOURCE_API, { omit: servedElsewhere(config.metricsListener) }),
  );
  for (const router of [
    health,
    protectedRoutes(protectedDeps),
    adminReportRoutes({ ...protectedDeps, jwks }),
    documents,
    // With METRICS_PORT, /metrics leaves this port for its own listener (start.ts).
    ...(config.metricsListener === undefined ? [metricsRoutes(metrics)] : []),
  ]) {
    app.use(router.routes() as Koa.Middleware<RequestState>);
    app.use(router.allowedMethods() as Koa.Middleware<RequestState>);
  }

  return {
    app,
    jwks,
    verifier,
    revocations,
    metrics,
    draining,
    async close() {
      jwks.stop();
      revocations.stop();
    },
  };
}
