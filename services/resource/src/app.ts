import {
  corsPolicy,
  createMetricsRegistry,
  errorHandler,
  healthRoutes,
  httpMetrics,
  type Logger,
  metricsRoutes,
  type Registry,
  type RequestState,
  requestContext,
  securityHeaders,
} from '@authpair/service-kit';
import Koa from 'koa';
import type { ResourceConfig } from './config';
import { protectedRoutes } from './http/routes/protected';
import { JwksCache } from './verify/jwks-cache';
import { createJwksMetrics } from './verify/jwks-metrics';
import { AccessTokenVerifier } from './verify/verifier';

export interface ResourceService {
  app: Koa<RequestState>;
  jwks: JwksCache;
  verifier: AccessTokenVerifier;
  /** This instance's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  close(): Promise<void>;
}

export interface ResourceServiceOptions {
  /** The fetch used for the JWKS; tests may wrap it to count requests. */
  fetch?: typeof fetch;
}

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
  // A failed first fetch is not fatal: the service starts, reports unready, and keeps trying.
  await jwks.start();
  const verifier = new AccessTokenVerifier(config.tokens, jwks);

  // No `proxy`: nothing here depends on the client's address, scheme or host.
  const app = new Koa<RequestState>();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders());
  app.use(corsPolicy(config.corsAllowedOrigins));
  app.use(errorHandler());
  const health = healthRoutes({
    jwks: async () => {
      const { status: cache, ...facts } = jwks.snapshot();
      const status = cache === 'fresh' ? 'up' : cache === 'stale' ? 'degraded' : 'down';
      return { status, cache, ...facts };
    },
  });
  const routes = protectedRoutes(verifier, config.realm);
  for (const router of [health, routes, metricsRoutes(metrics)]) {
    app.use(router.routes() as Koa.Middleware<RequestState>);
    app.use(router.allowedMethods() as Koa.Middleware<RequestState>);
  }

  return {
    app,
    jwks,
    verifier,
    metrics,
    async close() {
      jwks.stop();
    },
  };
}
