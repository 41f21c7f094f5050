import {
  createMetricsRegistry,
  errorHandler,
  healthRoutes,
  httpMetrics,
  type Logger,
  metricsRoutes,
  type Registry,
  type RequestState,
  requestContext,
  type StartupStep,
  securityHeaders,
} from '@authpair/service-kit';
import Koa from 'koa';
import { createBffMetrics } from './bff/bff-metrics';
import { type CookieState, refreshCookieWriter } from './bff/cookie-writer';
import { RefreshFlights } from './bff/refresh-flights';
import { bffRoutes } from './bff/routes';
import { AuthUpstream } from './bff/upstream';
import type { WebConfig } from './config';
import {
  type Asset,
  type PageFiles,
  type PagePath,
  pageAssets,
  readPageFiles,
} from './page/assets';
import { pageRoutes } from './page/routes';

export interface WebService {
  app: Koa<RequestState & CookieState>;
  /** This instance's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  /** The refresh single-flight, per session (for tests and metrics). */
  flights: RefreshFlights;
  /** What must happen before it serves: the page's files read (start.ts runs it). */
  startup: readonly StartupStep[];
  close(): Promise<void>;
}

export interface WebServiceOptions {
  /** The page's built files; read from `dist/public` unless given (a test builds them in memory). */
  page?: PageFiles;
  /** The fetch used to call the auth service. */
  fetch?: typeof fetch;
  clock?: () => number;
}

/**
 * The composition root: the page's files -> the call to auth -> the
 * refresh single-flight -> routes -> Koa. No database: the only state is
 * the refresh tokens spent within the share window, in memory. No I/O
 * either: the page's files are read by the `startup` step.
 */
export function createWebService(
  config: WebConfig,
  logger: Logger,
  options: WebServiceOptions = {},
): WebService {
  const assets = new Map<PagePath, Asset>();
  const readPage = async () => {
    const files = options.page ?? (await readPageFiles());
    for (const [path, asset] of pageAssets(files, { resourceUrl: config.resourceUrl }))
      assets.set(path, asset);
  };
  const metrics = createMetricsRegistry('web');
  const upstream = new AuthUpstream(config.auth.url, config.auth.timeoutMs, options.fetch);
  const flights = new RefreshFlights({
    windowMs: config.refreshShareWindowMs,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });

  // No `proxy`: the client's address is passed on to auth as the socket's, appended to
  // any X-Forwarded-For (auth decides whether to trust it: its TRUST_PROXY).
  const app = new Koa<RequestState & CookieState>();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders());
  // Outside the error handler, so a cookie decision survives an error answer.
  app.use(refreshCookieWriter(config.refreshCookie.maxAge));
  app.use(errorHandler());
  for (const router of [
    healthRoutes({
      auth: async () => ((await upstream.alive()) ? { status: 'up' } : { status: 'down' }),
    }),
    pageRoutes(assets, { resourceUrl: config.resourceUrl, origin: config.origin }),
    bffRoutes({
      upstream,
      flights,
      metrics: createBffMetrics(metrics, flights),
      origin: config.origin,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }),
    ...(config.metricsListener === undefined ? [metricsRoutes(metrics)] : []),
  ]) {
    app.use(router.routes() as Koa.Middleware<RequestState & CookieState>);
    app.use(router.allowedMethods() as Koa.Middleware<RequestState & CookieState>);
  }

  return {
    app,
    metrics,
    flights,
    startup: [{ name: 'page read', run: readPage }],
    close: async () => {},
  };
}
