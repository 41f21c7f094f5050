#!/usr/bin/env node
import { ConfigError, createLogger, onShutdownSignal } from '@authpair/service-kit';
import { loadResourceConfig } from './config';
import { startResourceService } from './start';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadResourceConfig>;
  try {
    config = loadResourceConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`resource: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service: 'resource', level: config.logLevel });
  const running = await startResourceService(config, logger);
  onShutdownSignal(logger, () => running.stop(), {
    draining: running.draining,
    delayMs: config.shutdownDelayMs,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `resource: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
