/**
 * The fallback load generator when wrk is missing: autocannon in a process
 * of its own (pinned by the caller), so it never shares the server's core.
 * Reads a GeneratorRequest from the JSON file named on the command line;
 * prints one `BENCH_RESULT <json>` line.
 */
import { readFileSync } from 'node:fs';
import type { GeneratorRequest, GeneratorResult } from './generator';
import { runLoad } from './load';

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as GeneratorRequest;
  const tokens = request.tokens;
  const started = performance.now();
  const result = await runLoad({
    url: request.url,
    connections: request.connections,
    durationSeconds: request.durationSeconds,
    headers: request.headers,
    ...(tokens === undefined
      ? {}
      : { headersFor: (n: number) => ({ authorization: `Bearer ${tokens[n % tokens.length]}` }) }),
  });
  const usage = process.cpuUsage();
  const output: GeneratorResult = {
    ...result,
    generatorCpuSeconds: (usage.user + usage.system) / 1e6,
    seconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
