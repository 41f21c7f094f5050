import Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { routeOf } from './request-context';

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
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async function observeRequest(ctx, next) {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      end({
        method: ctx.method,
        route: routeOf(ctx as { _matchedRoute?: unknown }),
        status: String(ctx.status),
      });
    }
  };
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
