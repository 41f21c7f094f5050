import { type Logger, listen, type RunningServer } from '@authpair/service-kit';
import { createResourceService, type ResourceService, type ResourceServiceOptions } from './app';
import type { ResourceConfig } from './config';

export interface RunningResourceService extends ResourceService {
  server: RunningServer;
  url: string;
  stop(graceMs?: number): Promise<void>;
}

export async function startResourceService(
  config: ResourceConfig,
  logger: Logger,
  options: ResourceServiceOptions = {},
): Promise<RunningResourceService> {
  const service = await createResourceService(config, logger, options);
  const server = await listen(service.app.callback(), { port: config.port, host: config.host });
  logger.info({ url: server.url, jwks_url: config.jwks.url }, 'resource service listening');
  return {
    ...service,
    server,
    url: server.url,
    async stop(graceMs) {
      await server.close(graceMs);
      await service.close();
    },
  };
}
