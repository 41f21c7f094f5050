#!/usr/bin/env node
import { ConfigError, createLogger, onShutdownSignal } from '@authpair/service-kit';
import { loadAuthConfig } from './config';
import { startAuthService } from './start';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadAuthConfig>;
  try {
    config = loadAuthConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`auth: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service: 'auth', level: config.logLevel });
  const running = await startAuthService(config, logger);
  onShutdownSignal(logger, () => running.stop(), {
    draining: running.draining,
    delayMs: config.shutdownDelayMs,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `auth: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
