import { type Logger, listenWithMetrics, type RunningServer } from '@authpair/service-kit';
import { type AuthService, createAuthService } from './app';
import type { AuthConfig } from './config';

export interface RunningAuthService extends AuthService {
  server: RunningServer;
  url: string;
  /** The `METRICS_PORT` listener, when configured. */
  metricsServer: RunningServer | undefined;
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
  logger.info(
    { url: server.url, metrics_url: metricsServer?.url, issuer: config.tokens.issuer },
    'auth service listening',
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
