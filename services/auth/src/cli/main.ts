#!/usr/bin/env node
import { runAuthAdmin } from './run';
import { processSecretReader } from './secret-input';

/** The `auth-admin` executable: the environment in, an exit code out. */
runAuthAdmin(process.argv.slice(2), {
  env: process.env,
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
  readSecret: processSecretReader(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `auth-admin: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
