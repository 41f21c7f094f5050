/**
 * `npm start`: the whole pair on this machine without Docker, one process
 * per service, as in production. PostgreSQL is the server at DATABASE_URL
 * when set, else an embedded one whose data persists in `.data/postgres`
 * (AUTHPAIR_DATA_DIR moves `.data`). Auth listens on AUTH_PORT (4000),
 * resource on RESOURCE_PORT (4001), the web app on WEB_PORT (4002), their
 * metrics on AUTH_METRICS_PORT, RESOURCE_METRICS_PORT and WEB_METRICS_PORT
 * when set; every other variable is passed to all three. The resource
 * service allows the web app's origin (CORS): the page calls it directly.
 * Auth needs no CORS: the page reaches it through the web app's backend.
 * Development secrets (password pepper, refresh-token secret, key-encryption keys) are generated
 * once into the data folder unless set; the revocation feed's secret is
 * new at each start, since this process hands it to both.
 *
 * SIGTERM or SIGINT stops the services (each drains), then PostgreSQL, and
 * exits 0. A service that dies stops the rest and exits 1.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import { createLogger, type Logger, onShutdownSignal } from '@authpair/service-kit';
import { EmbeddedPostgresUnusableError, startEmbeddedPostgres } from './embedded-postgres';
import { localKeyEncryptionKeys, localPepper, localRefreshTokenSecret } from './local-secrets';
import { dataDir, ENTRY_POINTS } from './paths';
import { type ServiceProcess, startService } from './services';

async function database(
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<{ url: string; stop(): Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => {} };
  const folder = join(dataDir(env), 'postgres');
  const pgLog = logger.child({ component: 'postgres' });
  const postgres = await startEmbeddedPostgres({
    databaseDir: folder,
    port: Number(env.EMBEDDED_POSTGRES_PORT ?? '54329'),
    persistent: true,
    onLog: (message) => pgLog.debug(message.trim()),
  });
  logger.info({ data: folder }, 'embedded PostgreSQL started');
  return postgres;
}

async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger({ service: 'local-stack', level: env.LOG_LEVEL ?? 'info' });
  const authPort = env.AUTH_PORT ?? '4000';
  const resourcePort = env.RESOURCE_PORT ?? '4001';
  const webPort = env.WEB_PORT ?? '4002';
  const webOrigin = env.WEB_ORIGIN ?? `http://localhost:${webPort}`;
  const data = dataDir(env);
  const postgres = await database(env, logger);
  const running: ServiceProcess[] = [];
  const track = (service: ServiceProcess) => running.push(service);
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= (async () => {
      // Newest first: resource polls auth's feed until it stops.
      for (const service of [...running].reverse()) await service.stop();
      await postgres.stop();
    })();
    return stopped;
  };
  // embedded-postgres hooks SIGTERM and SIGINT to stop PostgreSQL and exit the process, racing
  // the services that still use it. This process decides the order: services, then PostgreSQL.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.removeAllListeners(signal);
  // From here on a signal stops whatever has started, also in the middle of the start.
  onShutdownSignal(logger, stopAll);

  try {
    const issuer = env.JWT_ISSUER ?? `http://localhost:${authPort}`;
    const feedToken = env.REVOCATION_FEED_TOKEN ?? randomBytes(32).toString('base64url');
    // A single METRICS_PORT would make the two collide: each takes its own, like PORT.
    const { METRICS_PORT: _shared, ...shared } = env;
    const common = {
      ...shared,
      JWT_ISSUER: issuer,
      REVOCATION_FEED_TOKEN: feedToken,
      // No balancer to wait for: stop draining at once on Ctrl-C.
      SHUTDOWN_DELAY_MS: env.SHUTDOWN_DELAY_MS ?? '0',
    };
    await startService(
      'auth',
      ENTRY_POINTS.auth,
      {
        ...common,
        PORT: authPort,
        METRICS_PORT: env.AUTH_METRICS_PORT,
        DATABASE_URL: postgres.url,
        PASSWORD_PEPPER: env.PASSWORD_PEPPER ?? (await localPepper(data)),
        REFRESH_TOKEN_SECRET: env.REFRESH_TOKEN_SECRET ?? (await localRefreshTokenSecret(data)),
        KEY_ENCRYPTION_KEYS: env.KEY_ENCRYPTION_KEYS ?? (await localKeyEncryptionKeys(data)),
      },
      `http://127.0.0.1:${authPort}`,
      logger,
      track,
    );
    await startService(
      'resource',
      ENTRY_POINTS.resource,
      {
        ...common,
        PORT: resourcePort,
        METRICS_PORT: env.RESOURCE_METRICS_PORT,
        JWKS_URL: env.JWKS_URL ?? `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
        // With INTERNAL_PORT the feed is only on auth's internal listener.
        ...(env.INTERNAL_PORT && !env.REVOCATION_FEED_URL
          ? { REVOCATION_FEED_URL: `http://127.0.0.1:${env.INTERNAL_PORT}${REVOCATION_FEED_PATH}` }
          : {}),
        CORS_ALLOWED_ORIGINS: [env.CORS_ALLOWED_ORIGINS, webOrigin].filter(Boolean).join(','),
      },
      `http://127.0.0.1:${resourcePort}`,
      logger,
      track,
    );
    await startService(
      'web',
      ENTRY_POINTS.web,
      {
        ...common,
        PORT: webPort,
        METRICS_PORT: env.WEB_METRICS_PORT,
        WEB_ORIGIN: webOrigin,
        AUTH_URL: env.AUTH_URL ?? `http://127.0.0.1:${authPort}`,
        RESOURCE_URL: env.RESOURCE_URL ?? `http://localhost:${resourcePort}`,
      },
      `http://127.0.0.1:${webPort}`,
      logger,
      track,
    );
  } catch (error) {
    // Stopped by a signal in the middle of the start: the signal handler exits.
    if (stopped !== undefined) return;
    await stopAll();
    throw error;
  }

  logger.info(
    {
      auth: `http://localhost:${authPort}`,
      resource: `http://localhost:${resourcePort}`,
      web: webOrigin,
    },
    'authpair is up',
  );
  for (const service of running)
    service.exited.then(async (code) => {
      if (stopped !== undefined) return;
      logger.error({ service: service.name, code }, 'a service exited; stopping the stack');
      await stopAll();
      logger.flush(() => process.exit(1));
    });
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof EmbeddedPostgresUnusableError
      ? `authpair: ${error.message}\n`
      : `authpair: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
