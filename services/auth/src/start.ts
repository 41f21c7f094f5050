import {
  type Logger,
  listen,
  listenWithMetrics,
  type RunningServer,
  runStartup,
} from '@authpair/service-kit';
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

/**
 * Starts a wired service: its startup steps in order (database reachable,
 * migrated, keys loaded, timers started), then the listeners. A failure at
 * any point closes what had started and is thrown.
 */
export async function startWiredAuthService(
  service: AuthService,
  config: AuthConfig,
  logger: Logger,
): Promise<RunningAuthService> {
  const servers: RunningServer[] = [];
  try {
    await runStartup(service.startup, logger);
    const { server, metricsServer } = await listenWithMetrics(service, config);
    servers.push(server, ...(metricsServer ? [metricsServer] : []));
    const internalServer =
      service.internalApp !== undefined && config.internalListener !== undefined
        ? await listen(service.internalApp.callback(), {
            ...config.internalListener,
            draining: service.draining,
          })
        : undefined;
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
  } catch (error) {
    await Promise.all(servers.map((server) => server.close(0)));
    await service.close();
    throw error;
  }
}

/** Wires the service (app.ts), starts it and listens on the configured host and port. */
export function startAuthService(config: AuthConfig, logger: Logger): Promise<RunningAuthService> {
  return startWiredAuthService(createAuthService(config, logger), config, logger);
}
