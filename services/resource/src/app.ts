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
  publicSecretsNotice,
  type ReadinessCheck,
  type Registry,
  type RequestState,
  requestContext,
  type StartupStep,
  securityHeaders,
  servedElsewhere,
} from '@authpair/service-kit';
import {
  createVerifier,
  type JwksCache,
  type RevocationList,
  type Verifier,
} from '@authpair/verifier';
import { koaBearer } from '@authpair/verifier/koa';
import Koa from 'koa';
import type { ResourceConfig } from './config';
import { adminReportRoutes } from './http/routes/admin-reports';
import { protectedRoutes } from './http/routes/protected';
import { createVerifierMetrics } from './metrics/verifier-metrics';
import { verifierOptionsOf } from './verifier-options';

export interface ResourceService {
  app: Koa<RequestState>;
  /** The verifier: JWKS cache, verified-token cache, revocation list. */
  verifier: Verifier;
  jwks: JwksCache;
  revocations: RevocationList;
  /** This instance's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  /** Begun on SIGTERM: `/readyz` says unready while the instance still serves (see main.ts). */
  draining: Draining;
  /** What must happen before it serves: the verifier's first reads (start.ts runs it). */
  startup: readonly StartupStep[];
  close(): Promise<void>;
}

export interface ResourceServiceOptions {
  /** The fetch used for the JWKS and the revocation feed; tests may wrap it to count requests. */
  fetch?: typeof fetch;
}

/**
 * The composition root: @authpair/verifier (its metrics on this service's
 * registry) -> its Koa adapter -> routes -> Koa. No database, and no I/O:
 * the verifier fetches nothing until the `startup` step runs.
 */
export function createResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): ResourceService {
  const metrics = createMetricsRegistry('resource');
  const verifierMetrics = createVerifierMetrics(metrics);
  const verifier = createVerifier({
    ...verifierOptionsOf(config),
    logger,
    observer: verifierMetrics.observer,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    startFetching: false,
  });
  verifierMetrics.track(verifier);
  const revocations = verifier.revocations as RevocationList; // the feed is required here (config.ts)

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
    jwks: async () => verifier.health().checks.jwks,
    revocations: async () => verifier.health().checks.revocations ?? { status: 'down' },
    ...publicSecretsNotice(config.publicSecrets, logger),
  };
  const health = healthRoutes(readinessChecks, { draining });
  // Errors go to errorHandler above, which renders them with the challenge
  // for the realm the adapter records, and logs what a 5xx hides.
  const bearer = koaBearer(verifier, { errors: 'throw' });
  const documents = apiDocumentRoutes(
    buildOpenApiDocument(RESOURCE_API, { omit: servedElsewhere(config.metricsListener) }),
  );
  for (const router of [
    health,
    protectedRoutes(bearer),
    adminReportRoutes(bearer, verifier),
    documents,
    // With METRICS_PORT, /metrics leaves this port for its own listener (start.ts).
    ...(config.metricsListener === undefined ? [metricsRoutes(metrics)] : []),
  ]) {
    app.use(router.routes() as Koa.Middleware<RequestState>);
    app.use(router.allowedMethods() as Koa.Middleware<RequestState>);
  }

  return {
    app,
    verifier,
    jwks: verifier.jwks,
    revocations,
    metrics,
    draining,
    startup: [
      {
        // Neither first read failing is fatal: the service starts, reports
        // unready, and keeps trying; tokens get 503 until both have been read.
        name: 'keys and revocations read',
        run: () => verifier.ready().then(() => {}),
      },
    ],
    close: () => verifier.close(),
  };
}
