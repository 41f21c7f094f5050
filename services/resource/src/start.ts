import {
  type Logger,
  listenWithMetrics,
  type RunningServer,
  runStartup,
} from '@authpair/service-kit';
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
export async function startWiredResourceService(
  service: ResourceService,
  config: ResourceConfig,
  logger: Logger,
): Promise<RunningResourceService> {
  try {
    await runStartup(service.startup, logger);
    const { server, metricsServer } = await listenWithMetrics(service, config);
    logger.info(
      { url: server.url, metrics_url: metricsServer?.url, jwks_url: config.jwks.url },
      'resource service listening',
    );
    return {
      ...service,
      server,
      url: server.url,
      metricsServer,
      async stop(graceMs) {
        await Promise.all([server.close(graceMs), metricsServer?.close(graceMs)]);
        await service.close();
      },
    };
  } catch (error) {
    await service.close();
    throw error;
  }
}

/** Wires the service (app.ts), starts it and listens on the configured host and port. */
export function startResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): Promise<RunningResourceService> {
  return startWiredResourceService(createResourceService(config, logger, options), config, logger);
}
