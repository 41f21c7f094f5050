/** The error name runtime-skip-environment.ts turns into a skip. */
export const RUNTIME_SKIP = 'RuntimeSkip';

/**
 * Ends the running test as skipped, saying why on stderr. Only in a file
 * run with `@jest-environment ./test/support/runtime-skip-environment.ts`;
 * anywhere else the test fails with the reason, which is never silent.
 */
export function skipAtRuntime(reason: string): never {
  process.stderr.write(`\n${reason}\n\n`);
  const error = new Error(reason);
  error.name = RUNTIME_SKIP;
  throw error;
}
