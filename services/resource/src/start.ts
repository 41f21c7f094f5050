import { type Logger, type RunningServer, startListening } from '@authpair/service-kit';
import { createResourceService, type ResourceService, type ResourceServiceOptions } from './app';
import type { ResourceConfig } from './config';

export interface RunningResourceService extends ResourceService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
  stop(graceMs?: number): Promise<void>;
}

/** Starts a wired service (its startup steps, logged), then listens. A failure closes it and is thrown. */
export function startWiredResourceService(
  service: ResourceService,
  config: ResourceConfig,
  logger: Logger,
): Promise<RunningResourceService> {
  return startListening(service, config, logger, ({ server, metricsServer }) => [
    { url: server.url, metrics_url: metricsServer?.url, jwks_url: config.jwks.url },
    'resource service listening',
  ]);
}

/** Wires the service (app.ts), starts it and listens on the configured host and port. */
export function startResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): Promise<RunningResourceService> {
  return startWiredResourceService(createResourceService(config, logger, options), config, logger);
}
