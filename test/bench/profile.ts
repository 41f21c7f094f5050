import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/ports';
import { TestIssuer } from '../support/test-issuer';
import { type GeneratorKind, generate } from './generator';
import { ROOT, startServer } from './process';
import { type CpuProfile, summarizeProfile, summaryMarkdown } from './profile-summary';
import { mintTokens, serverEnv } from './protected-loads';
import { SERVERS, serverById } from './servers';
import type { Settings } from './settings';
import { type Pinning, pinSelf, unpinSelf } from './system';

/**
 * `npm run bench -- --cpu-prof=<server> [--load=same|distinct]`: one row of
 * the /protected table under node's --cpu-prof, pinned as in the bench.
 * The .cpuprofile goes to test/bench/profiles/ (ignored by git; open it in
 * Chrome DevTools or speedscope), and beside it a summary of the measured
 * window: self time by group (this project's code, jose, node:http/net,
 * V8/GC, other) and by package, and the top functions, per request.
 */

export const PROFILE_DIR = 'test/bench/profiles';

/** Sampling interval, µs: finer than node's 1 ms default, for a path of ~100 µs. */
const INTERVAL_US = 250;

export async function cpuProfile(options: {
  server: string;
  load: 'same' | 'distinct';
  settings: Settings;
  pinning: Pinning;
  generator: GeneratorKind;
  log: (message: string) => void;
}): Promise<void> {
  const { settings, pinning, log } = options;
  const spec = serverById(options.server);
  if (spec === undefined)
    throw new Error(
      `--cpu-prof takes a server id: ${SERVERS.map((server) => server.id).join(', ')}`,
    );
  const unavailable = spec.unavailable?.();
  if (unavailable !== undefined) throw new Error(`${spec.name}: ${unavailable}`);
  const dir = join(ROOT, PROFILE_DIR);
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `${spec.id}-${options.load}-${stamp}`;
  const file = join(dir, `${name}.cpuprofile`);

  const issuer = await new TestIssuer().start();
  try {
    const tokens = mintTokens(issuer, settings);
    pinSelf(pinning, pinning.generatorCore);
    const port = await freePort();
    const spawnedAt = performance.now();
    const server = await startServer({
      name: spec.name,
      args: [spec.script],
      env: { PORT: String(port), ...serverEnv(spec, issuer, settings) },
      port,
      core: { pinning, core: pinning.serverCore },
      nodeOptions: [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        `--cpu-prof-name=${name}.cpuprofile`,
        `--cpu-prof-interval=${INTERVAL_US}`,
      ],
    });
    const request = (list: string[] | undefined, durationSeconds: number) => ({
      url: `${server.url}/protected`,
      connections: settings.connections,
      durationSeconds,
      headers: list === undefined ? { authorization: `Bearer ${tokens.same}` } : {},
      ...(list === undefined ? {} : { tokens: list }),
    });
    let result: Awaited<ReturnType<typeof generate>>;
    let window: { from: number; to: number };
    let processCpuSeconds: number;
    try {
      await generate(
        options.generator,
        pinning,
        request(options.load === 'same' ? undefined : tokens.warmup, settings.warmupSeconds),
      );
      const from = performance.now() - spawnedAt;
      const cpuBefore = server.cpuSeconds();
      result = await generate(
        options.generator,
        pinning,
        request(options.load === 'same' ? undefined : tokens.distinct, settings.durationSeconds),
      );
      processCpuSeconds = server.cpuSeconds() - cpuBefore;
      window = { from, to: performance.now() - spawnedAt };
    } finally {
      await server.stop();
    }
    if (!existsSync(file)) throw new Error(`no profile was written at ${file}\n${server.stderr()}`);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    // The profile's clock starts with the process, a few ms after the spawn: the
    // window (harness time since spawn) selects the measured run's samples.
    const summary = summarizeProfile(profile, {
      fromUs: window.from * 1000,
      toUs: window.to * 1000,
      requests: result.requests,
      processCpuSeconds,
    });
    const markdown = summaryMarkdown(summary, {
      title: `${spec.name}, ${options.load === 'same' ? 'same token' : 'every token distinct'}`,
      rps: result.rps,
      file: `${PROFILE_DIR}/${name}.cpuprofile`,
    });
    writeFileSync(join(dir, `${name}.summary.md`), markdown);
    writeFileSync(join(dir, `${name}.summary.json`), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      `\n${markdown}\nwritten to ${PROFILE_DIR}/${name}.{cpuprofile,summary.md,summary.json}\n`,
    );
    log(
      `profile: ${Math.round(result.rps)} req/s under the profiler (sampling every ${INTERVAL_US} µs)`,
    );
  } finally {
    unpinSelf(pinning);
    await issuer.stop();
  }
}
