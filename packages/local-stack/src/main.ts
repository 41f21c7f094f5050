#!/usr/bin/env node
/**
 * `npm start`: the whole pair on this machine without Docker. PostgreSQL is
 * the server at DATABASE_URL when set, else an embedded one whose data
 * persists in .data/postgres. Auth listens on AUTH_PORT (4000), resource on
 * RESOURCE_PORT (4001), their metrics on AUTH_METRICS_PORT and
 * RESOURCE_METRICS_PORT when set; every other variable is passed to both.
 * Development secrets (password pepper, refresh-token secret, key-encryption
 * keys) are generated once into .data/ unless set; the revocation feed's
 * secret is new at each start, since both services run in this process.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadAuthConfig, startAuthService } from '@authpair/auth';
import { loadResourceConfig, startResourceService } from '@authpair/resource';
import { ConfigError, createLogger, onShutdownSignal } from '@authpair/service-kit';
import { startEmbeddedPostgres } from './embedded-postgres';
import {
  DATA_DIR,
  localKeyEncryptionKeys,
  localPepper,
  localRefreshTokenSecret,
} from './local-secrets';

async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger({ service: 'local-stack', level: env.LOG_LEVEL ?? 'info' });
  const authPort = env.AUTH_PORT ?? '4000';
  const resourcePort = env.RESOURCE_PORT ?? '4001';

  let databaseUrl = env.DATABASE_URL;
  let stopPostgres = async () => {};
  if (databaseUrl === undefined || databaseUrl === '') {
    const pgLog = logger.child({ component: 'postgres' });
    const postgres = await startEmbeddedPostgres({
      databaseDir: join(DATA_DIR, 'postgres'),
      port: Number(env.EMBEDDED_POSTGRES_PORT ?? '54329'),
      persistent: true,
      onLog: (message) => pgLog.debug(message.trim()),
    });
    databaseUrl = postgres.url;
    stopPostgres = postgres.stop;
    logger.info({ data: join(DATA_DIR, 'postgres') }, 'embedded PostgreSQL started');
  }

  const issuer = env.JWT_ISSUER ?? `http://localhost:${authPort}`;
  // Both services run in this process, so a fresh shared secret per start is enough.
  const feedToken = env.REVOCATION_FEED_TOKEN ?? randomBytes(32).toString('base64url');
  // Both services share this environment: a single METRICS_PORT would make them collide,
  // so each takes its own (AUTH_METRICS_PORT, RESOURCE_METRICS_PORT), like PORT.
  const { METRICS_PORT: _shared, ...shared } = env;
  const authConfig = loadAuthConfig({
    ...shared,
    METRICS_PORT: env.AUTH_METRICS_PORT,
    PORT: authPort,
    DATABASE_URL: databaseUrl,
    JWT_ISSUER: issuer,
    PASSWORD_PEPPER: env.PASSWORD_PEPPER ?? (await localPepper()),
    REVOCATION_FEED_TOKEN: feedToken,
    REFRESH_TOKEN_SECRET: env.REFRESH_TOKEN_SECRET ?? (await localRefreshTokenSecret()),
    KEY_ENCRYPTION_KEYS: env.KEY_ENCRYPTION_KEYS ?? (await localKeyEncryptionKeys()),
  });
  const auth = await startAuthService(
    authConfig,
    createLogger({ service: 'auth', level: authConfig.logLevel }),
  );

  const resourceConfig = loadResourceConfig({
    ...shared,
    METRICS_PORT: env.RESOURCE_METRICS_PORT,
    PORT: resourcePort,
    JWT_ISSUER: issuer,
    JWKS_URL: env.JWKS_URL ?? `http://127.0.0.1:${auth.server.port}/.well-known/jwks.json`,
    REVOCATION_FEED_TOKEN: feedToken,
  });
  const resource = await startResourceService(
    resourceConfig,
    createLogger({ service: 'resource', level: resourceConfig.logLevel }),
  );

  logger.info(
    {
      auth: `http://localhost:${auth.server.port}`,
      resource: `http://localhost:${resource.server.port}`,
    },
    'authpair is up',
  );
  onShutdownSignal(logger, async () => {
    await resource.stop();
    await auth.stop();
    await stopPostgres();
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`authpair: ${error.message}\n`);
  else
    process.stderr.write(
      `authpair: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
});
