import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './load';
import { ROOT } from './process';
import { onCore, type Pinning, ticksToSeconds } from './system';

/**
 * The load generator of the server-bound rows, in a process of its own on
 * the harness's core: wrk (one thread) when the machine has it, else
 * autocannon in a node process. Either way the server's core is the
 * server's, and the generator's CPU time is reported beside the figures.
 */

export interface GeneratorRequest {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Headers of every request. */
  headers: Record<string, string>;
  /** One Bearer token per request, cycled in order (the distinct-token load). */
  tokens?: string[];
}

export interface GeneratorResult extends LoadResult {
  /** CPU seconds the generator process used (NaN when it cannot be told). */
  generatorCpuSeconds: number;
  /** Seconds the run lasted, as the generator measured it. */
  seconds: number;
}

export type GeneratorKind = 'wrk' | 'autocannon';

/** wrk's summary as one JSON line, from its `done` hook; CPU from /proc/self/stat. */
const WRK_SUMMARY = `
done = function(summary, latency, requests)
  local ticks = -1
  local stat = io.open("/proc/self/stat", "r")
  if stat then
    local rest = stat:read("*a"):match("%) (.*)")
    stat:close()
    local fields = {}
    for field in rest:gmatch("%S+") do fields[#fields + 1] = field end
    ticks = tonumber(fields[12]) + tonumber(fields[13])
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"cpuTicks":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout, ticks))
end
`;

/** Requests built once in init, one per token, then sent in turn. */
const WRK_TOKENS = `
local requests = {}
local n = 0
init = function(args)
  for token in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. token })
  end
end
request = function()
  n = n % #requests + 1
  return requests[n]
end
`;

interface WrkSummary {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  cpuTicks: number;
}

function collect(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(env ? { env } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}

async function runWrk(pinning: Pinning, request: GeneratorRequest): Promise<GeneratorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'authpair-wrk-'));
  try {
    const script = join(dir, 'bench.lua');
    const scriptArgs: string[] = [];
    if (request.tokens !== undefined) {
      const file = join(dir, 'tokens.txt');
      writeFileSync(file, `${request.tokens.join('\n')}\n`);
      scriptArgs.push('--', file);
    }
    writeFileSync(script, `${request.tokens === undefined ? '' : WRK_TOKENS}${WRK_SUMMARY}`);
    const headerArgs = Object.entries(request.headers).flatMap(([name, value]) => [
      '-H',
      `${name}: ${value}`,
    ]);
    const [command, args] = onCore(pinning, pinning.generatorCore, 'wrk', [
      '-t1',
      `-c${request.connections}`,
      `-d${request.durationSeconds}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      ...headerArgs,
      request.url,
      ...scriptArgs,
    ]);
    const { stdout, stderr, code } = await collect(command, args);
    const line = /^BENCH_RESULT (.*)$/m.exec(stdout)?.[1];
    if (code !== 0 || line === undefined)
      throw new Error(`wrk failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
    const summary = JSON.parse(line) as WrkSummary;
    const seconds = summary.durationUs / 1e6;
    return {
      requests: summary.requests,
      rps: summary.requests / seconds,
      p50: summary.p50Us / 1000,
      p99: summary.p99Us / 1000,
      failures: summary.status + summary.connect + summary.read + summary.write + summary.timeout,
      statuses: {},
      generatorCpuSeconds: summary.cpuTicks < 0 ? Number.NaN : ticksToSeconds(summary.cpuTicks),
      seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(
  pinning: Pinning,
  request: GeneratorRequest,
): Promise<GeneratorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'authpair-autocannon-'));
  try {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify(request));
    const [command, args] = onCore(pinning, pinning.generatorCore, process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'test/bench/autocannon-process.ts'),
      spec,
    ]);
    const { stdout, stderr, code } = await collect(command, args);
    const line = /^BENCH_RESULT (.*)$/m.exec(stdout)?.[1];
    if (code !== 0 || line === undefined)
      throw new Error(`autocannon process failed (exit ${code}): ${stderr.trim()}`);
    return JSON.parse(line) as GeneratorResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function generate(
  kind: GeneratorKind,
  pinning: Pinning,
  request: GeneratorRequest,
): Promise<GeneratorResult> {
  return kind === 'wrk' ? runWrk(pinning, request) : runAutocannon(pinning, request);
}
