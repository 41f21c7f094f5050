import { type Logger, type RunningServer, startListening } from '@authpair/service-kit';
import { createWebService, type WebService, type WebServiceOptions } from './app';
import type { WebConfig } from './config';

export interface RunningWebService extends WebService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
  stop(graceMs?: number): Promise<void>;
}

/** Starts a wired service (its startup steps, logged), then listens. A failure closes it and is thrown. */
export function startWiredWebService(
  service: WebService,
  config: WebConfig,
  logger: Logger,
): Promise<RunningWebService> {
  return startListening(service, config, logger, ({ server, metricsServer }) => [
    {
      url: server.url,
      origin: config.origin,
      metrics_url: metricsServer?.url,
      auth_url: config.auth.url,
    },
    'web app listening',
  ]);
}

/** Wires the service (app.ts), starts it and listens on the configured host and port. */
export function startWebService(
  config: WebConfig,
  logger: Logger,
  options: WebServiceOptions = {},
): Promise<RunningWebService> {
  return startWiredWebService(createWebService(config, logger, options), config, logger);
}
