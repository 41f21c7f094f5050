import { type Logger, listenWithMetrics, type RunningServer } from '@authpair/service-kit';
import { createResourceService, type ResourceService, type ResourceServiceOptions } from './app';
import type { ResourceConfig } from './config';

export interface RunningResourceService extends ResourceService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
  stop(graceMs?: number): Promise<void>;
}

export async function startResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): Promise<RunningResourceService> {
  const service = await createResourceService(config, logger, options);
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
}
