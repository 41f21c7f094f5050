import { type Logger, listen, listenWithMetrics, type RunningServer } from '@authpair/service-kit';
import { type AuthService, createAuthService } from './app';
import type { AuthConfig } from './config';

export interface RunningAuthService extends AuthService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
  /** The `INTERNAL_PORT` listener (`/internal/*`), when configured. */
  internalServer: RunningServer | undefined;
  /** Stops accepting, drains in-flight requests within `graceMs`, then releases resources. */
  stop(graceMs?: number): Promise<void>;
}

/** Builds the service and listens on the configured host and port. */
export async function startAuthService(
  config: AuthConfig,
  logger: Logger,
): Promise<RunningAuthService> {
  const service = await createAuthService(config, logger);
  const { server, metricsServer } = await listenWithMetrics(service, config);
  let internalServer: RunningServer | undefined;
  try {
    if (service.internalApp !== undefined && config.internalListener !== undefined)
      internalServer = await listen(service.internalApp.callback(), {
        ...config.internalListener,
        draining: service.draining,
      });
  } catch (error) {
    await Promise.all([server.close(0), metricsServer?.close(0)]);
    await service.close();
    throw error;
  }
  logger.info(
    {
      url: server.url,
      metrics_url: metricsServer?.url,
      internal_url: internalServer?.url,
      issuer: config.tokens.issuer,
    },
    'auth service listening',
  );
  return {
    ...service,
    server,
    url: server.url,
    metricsServer,
    internalServer,
    async stop(graceMs) {
      await Promise.all([
        server.close(graceMs),
        metricsServer?.close(graceMs),
        internalServer?.close(graceMs),
      ]);
      await service.close();
    },
  };
}
