#!/usr/bin/env node
import { ConfigError, createLogger, onShutdownSignal } from '@authpair/service-kit';
import { loadWebConfig } from './config';
import { startWebService } from './start';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadWebConfig>;
  try {
    config = loadWebConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`web: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service: 'web', level: config.logLevel });
  const running = await startWebService(config, logger);
  onShutdownSignal(logger, () => running.stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `web: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
