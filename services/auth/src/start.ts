import { type Logger, listen, type RunningServer } from '@authpair/service-kit';
import { type AuthService, createAuthService } from './app';
import type { AuthConfig } from './config';

export interface RunningAuthService extends AuthService {
  server: RunningServer;
  url: string;
  /** Stops accepting, drains in-flight requests within `graceMs`, then releases resources. */
  stop(graceMs?: number): Promise<void>;
}

/** Builds the service and listens on the configured host and port. */
export async function startAuthService(
  config: AuthConfig,
  logger: Logger,
): Promise<RunningAuthService> {
  const service = await createAuthService(config, logger);
  const server = await listen(service.app.callback(), { port: config.port, host: config.host });
  logger.info({ url: server.url, issuer: config.tokens.issuer }, 'auth service listening');
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
