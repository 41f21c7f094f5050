import {
  errorHandler,
  type Logger,
  type RequestState,
  requestContext,
  securityHeaders,
} from '@authpair/service-kit';
import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { classifyDatabaseError } from '../db/errors';

/** Everything under this prefix leaves the public port when `INTERNAL_PORT` is set. */
export const INTERNAL_PATH_PREFIX = '/internal/';

/**
 * The app behind `INTERNAL_PORT`: the `/internal/*` routes (the revocation
 * feed) and nothing else, so they can sit on a port only the resource
 * services reach (an unpublished port, a NetworkPolicy) while the public
 * port stops serving them. Same request ids, metrics and error rendering
 * as the public app; no CORS: no browser calls it.
 */
export function internalApp({
  routes,
  logger,
  httpDurations,
}: {
  routes: Router;
  logger: Logger;
  /** The public app's `httpMetrics` middleware: one histogram per registry. */
  httpDurations: Middleware;
}): Koa<RequestState> {
  const app = new Koa<RequestState>();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(httpDurations);
  app.use(securityHeaders());
  app.use(errorHandler({ classify: classifyDatabaseError }));
  app.use(routes.routes());
  app.use(routes.allowedMethods());
  return app;
}
