import type { RequestListener } from 'node:http';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Draining } from './draining';
import { routeOf } from './request-context';
import { RequestHistogram } from './request-histogram';
import { securityHeaders } from './security-headers';
import { listen, type RunningServer } from './server';

export { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * One Prometheus registry per service instance (never prom-client's global
 * one, so two services in one process, as in tests, do not collide), with
 * the default process metrics and an HTTP duration histogram.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Records every request's duration by method, matched route and status. */
export function httpMetrics(registry: Registry): Middleware {
  const duration = new RequestHistogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registry,
  });
  return async function observeRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeOf(ctx as { _matchedRoute?: unknown });
      const { method, status } = ctx;
      duration.observe(
        `${method} ${route} ${status}`,
        () => ({ method, route, status: String(status) }),
        (performance.now() - started) / 1000,
      );
    }
  };
}

/**
 * The app behind `METRICS_PORT`: `GET /metrics` and nothing else, so the
 * metrics can sit on an interface or port that only the scraper reaches
 * while the public port stops serving them. No access log: a scrape every
 * few seconds would drown the requests worth reading.
 */
export function metricsApp(registry: Registry): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(securityHeaders());
  const router = metricsRoutes(registry);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsRoutes(registry: Registry): Router {
  const router = new Router();
  router.get('/metrics', async function metrics(ctx) {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}

/** Where `/metrics` is served when it has a listener of its own. */
export interface MetricsListener {
  readonly port: number;
  readonly host: string;
}

/** `METRICS_PORT` (and `METRICS_HOST`, by default `HOST`) when set; else `/metrics` stays on the public port. */
export function metricsListenerOf(vars: {
  HOST: string;
  METRICS_PORT?: number | undefined;
  METRICS_HOST?: string | undefined;
}): MetricsListener | undefined {
  if (vars.METRICS_PORT === undefined) return undefined;
  return Object.freeze({ port: vars.METRICS_PORT, host: vars.METRICS_HOST ?? vars.HOST });
}

/** The public listener, and the metrics one when `METRICS_PORT` is set. */
export interface Listeners {
  server: RunningServer;
  metricsServer: RunningServer | undefined;
}

/**
 * Listens on the service's port and, with a metrics listener configured,
 * serves `metricsApp(metrics)` there. Either both listen or neither does;
 * closing the service after a failure is its starter's job (start.ts).
 */
export async function listenWithMetrics(
  service: {
    app: { callback(): RequestListener };
    metrics: Registry;
    draining?: Draining;
  },
  config: { port: number; host: string; metricsListener: MetricsListener | undefined },
): Promise<Listeners> {
  let server: RunningServer | undefined;
  try {
    server = await listen(service.app.callback(), {
      port: config.port,
      host: config.host,
      draining: service.draining,
    });
    const metricsServer =
      config.metricsListener === undefined
        ? undefined
        : await listen(metricsApp(service.metrics).callback(), config.metricsListener);
    return { server, metricsServer };
  } catch (error) {
    await server?.close(0);
    throw error;
  }
}
