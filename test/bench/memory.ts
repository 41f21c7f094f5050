import { readFileSync } from 'node:fs';
import { freePort } from '../support/ports';
import { TestIssuer } from '../support/test-issuer';
import { type GeneratorKind, generate } from './generator';
import { startServer } from './process';
import { mintTokens, serverEnv } from './protected-loads';
import { serverById } from './servers';
import { settingsFor } from './settings';
import { detectPinning, ensureWrk, pinSelf, unpinSelf } from './system';

/**
 * What the resource service's memory is made of under the distinct-token
 * load: its own /metrics (prom-client's process and V8 heap-space gauges)
 * read every 500 ms while wrk runs, beside the peak RSS from /proc, for
 * the service as it ships and with node flags given on the command line.
 *
 *   node --import tsx test/bench/memory.ts [seconds] [server] [-- node flags...]
 */
async function main(): Promise<void> {
  const dash = process.argv.indexOf('--');
  const args = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
  const nodeOptions = dash === -1 ? [] : process.argv.slice(dash + 1);
  const seconds = Number(args[0] ?? '10');
  const spec = serverById(args[1] ?? 'resource');
  if (spec === undefined) throw new Error(`no server ${args[1]}`);
  const settings = settingsFor(false);
  const pinning = detectPinning();
  const generator: GeneratorKind = ensureWrk(true, console.error).available ? 'wrk' : 'autocannon';
  const issuer = await new TestIssuer().start();
  const tokens = mintTokens(issuer, settings);
  pinSelf(pinning, pinning.generatorCore);
  const port = await freePort();
  const server = await startServer({
    name: spec.name,
    args: [spec.script],
    env: { PORT: String(port), ...serverEnv(spec, issuer, settings) },
    port,
    core: { pinning, core: pinning.serverCore },
    nodeOptions,
  });
  const samples: Array<Record<string, number>> = [];
  const sample = async () => {
    const text = await fetch(`${server.url}/metrics`).then((r) => r.text());
    const mb = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
    const row: Record<string, number> = {
      rss: mb(/^process_resident_memory_bytes\{[^}]*\} (\S+)$/m),
      heapTotal: mb(/^nodejs_heap_size_total_bytes\{[^}]*\} (\S+)$/m),
      heapUsed: mb(/^nodejs_heap_size_used_bytes\{[^}]*\} (\S+)$/m),
      external: mb(/^nodejs_external_memory_bytes\{[^}]*\} (\S+)$/m),
    };
    for (const match of text.matchAll(
      /^nodejs_heap_space_size_total_bytes\{[^}]*space="(\w+)"[^}]*\} (\S+)$/gm,
    ))
      row[`${match[1]}`] = Number(match[2]) / 2 ** 20;
    samples.push(row);
  };
  try {
    await sample();
    const smaps = (when: string) => {
      const text = readFileSync(`/proc/${server.pid}/smaps_rollup`, 'utf8');
      const kb = (key: string) =>
        Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1]) / 1024;
      console.log(
        `${when}: Rss ${kb('Rss').toFixed(1)} MB, anonymous ${kb('Anonymous').toFixed(1)}, file-backed ${(kb('Rss') - kb('Anonymous')).toFixed(1)}`,
      );
    };
    smaps('idle');
    const load = generate(generator, pinning, {
      url: `${server.url}/protected`,
      connections: settings.connections,
      durationSeconds: seconds,
      headers: {},
      tokens: tokens.distinct,
    });
    const timer = setInterval(() => void sample().catch(() => undefined), 500);
    const result = await load;
    clearInterval(timer);
    await sample();
    smaps('after the load');
    const keys = Object.keys(samples[0] ?? {});
    console.log(
      `${spec.name} ${nodeOptions.join(' ')}: ${Math.round(result.rps)}/s, peak RSS ${server.peakRssMb().toFixed(0)} MB (VmHWM)`,
    );
    console.log(keys.map((k) => k.replace('_space', '').padStart(10)).join(''));
    for (const row of samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1))
      console.log(keys.map((k) => (row[k] ?? Number.NaN).toFixed(1).padStart(10)).join(''));
  } finally {
    await server.stop();
    unpinSelf(pinning);
    await issuer.stop();
  }
}

void main();
