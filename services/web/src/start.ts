import { type Logger, listenWithMetrics, type RunningServer } from '@authpair/service-kit';
import { createWebService, type WebService, type WebServiceOptions } from './app';
import type { WebConfig } from './config';

export interface RunningWebService extends WebService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
  stop(graceMs?: number): Promise<void>;
}

export async function startWebService(
  config: WebConfig,
  logger: Logger,
  options: WebServiceOptions = {},
): Promise<RunningWebService> {
  const service = await createWebService(config, logger, options);
  const { server, metricsServer } = await listenWithMetrics(service, config);
  logger.info(
    {
      url: server.url,
      origin: config.origin,
      metrics_url: metricsServer?.url,
      auth_url: config.auth.url,
    },
    'web app listening',
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
