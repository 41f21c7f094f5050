/**
 * Where the resource service's cache-miss path spends what Koa + jose does
 * not: the same harness as the /protected rows (server pinned, wrk on the
 * other core), run on variants of the service that each switch one thing
 * off, interleaved round by round, compared by server CPU per request.
 *
 *   node --import tsx test/bench/miss-path.ts [rounds] [seconds] [--base=<dir>]
 *
 * With `--base=<dir>`, a checkout built before a change (a copy of this
 * one, say), each verifying server of it runs too, named "(base)": a
 * change is then measured against its own before, in the same rounds.
 *
 * The variants are environment settings of the real service, not patches:
 * the verified-token cache off (VERIFIED_TOKEN_CACHE_SIZE=0), the access
 * log off (LOG_LEVEL=warn); beside them the hit path, @authpair/verifier
 * alone on Koa (the service minus its own layers) and Koa + jose. Each
 * variant is compared with the unmodified service under the same load in
 * the same round, so the machine's drift between rounds cancels.
 */
import { join, resolve } from 'node:path';
import { TestIssuer } from '../support/test-issuer';
import type { GeneratorKind } from './generator';
import { median } from './load';
import { type Cell, type Measurement, measureOnce, mintTokens } from './protected-loads';
import type { LoadId } from './report';
import { SERVERS, type ServerSpec } from './servers';
import { settingsFor } from './settings';
import { detectPinning, ensureWrk, pinSelf, unpinSelf } from './system';

const base = (id: string) => SERVERS.find((server) => server.id === id) as ServerSpec;
const variant = (id: string, name: string, env: Record<string, string>): ServerSpec => ({
  ...base(id),
  id: `${id}:${name}`,
  name: `${base(id).name} (${name})`,
  env: { ...base(id).env, ...env },
});

const VARIANTS: Array<{ load: LoadId; server: ServerSpec }> = [
  { load: 'same', server: base('koa') },
  { load: 'same', server: base('koa-verifier') },
  { load: 'same', server: base('resource') },
  { load: 'same', server: variant('resource', 'access log off', { LOG_LEVEL: 'warn' }) },
  { load: 'distinct', server: base('koa-jose') },
  { load: 'distinct', server: base('koa-verifier') },
  { load: 'distinct', server: base('resource') },
  {
    load: 'distinct',
    server: variant('resource', 'cache off', { VERIFIED_TOKEN_CACHE_SIZE: '0' }),
  },
  { load: 'distinct', server: variant('resource', 'access log off', { LOG_LEVEL: 'warn' }) },
];

/** The same server from the build in `dir`: node resolves its packages from there. */
const fromBase = (dir: string, spec: ServerSpec): ServerSpec => ({
  ...spec,
  id: `${spec.id}:base`,
  name: `${spec.name} (base)`,
  script: join(resolve(dir), spec.script),
});

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const baseDir = process.argv.find((arg) => arg.startsWith('--base='))?.slice('--base='.length);
  const rounds = Number(positional[0] ?? '5');
  const seconds = Number(positional[1] ?? '6');
  if (baseDir !== undefined)
    for (const cell of [...VARIANTS])
      if (cell.server.verifies && !cell.server.id.includes(':') && cell.server.id !== 'koa-jose')
        VARIANTS.push({ load: cell.load, server: fromBase(baseDir, cell.server) });
  const settings = { ...settingsFor(false), runs: rounds, durationSeconds: seconds };
  const pinning = detectPinning();
  const generator: GeneratorKind = ensureWrk(true, console.error).available ? 'wrk' : 'autocannon';
  const issuer = await new TestIssuer().start();
  const tokens = mintTokens(issuer, settings);
  pinSelf(pinning, pinning.generatorCore);
  const results = new Map<Cell, Measurement[]>(VARIANTS.map((cell) => [cell, []]));
  try {
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const cell of order) {
        const m = await measureOnce(
          { settings, pinning, generator, issuer, log: console.error },
          cell,
          tokens,
        );
        results.get(cell)?.push(m);
        console.error(
          `round ${round + 1} ${cell.load} ${cell.server.name}: ${Math.round(m.rps)}/s, ${((m.serverCpuSeconds / m.requests) * 1e6).toFixed(0)} µs, ${Math.round(m.peakRssMb)} MB`,
        );
      }
    }
  } finally {
    unpinSelf(pinning);
    await issuer.stop();
  }
  // Paired within each round against the unmodified service under the same load:
  // what one switch changes, with the machine's drift between rounds cancelled.
  const perRequest = (m: Measurement) => (m.serverCpuSeconds / m.requests) * 1e6;
  const reference = (load: LoadId) =>
    results.get(VARIANTS.find((v) => v.load === load && v.server.id === 'resource') as Cell) ?? [];
  console.log(`server CPU µs per request, median of ${rounds} rounds of ${seconds} s:`);
  for (const cell of VARIANTS) {
    const ms = results.get(cell) ?? [];
    const us = ms.map(perRequest);
    const base = reference(cell.load).map(perRequest);
    const paired = us.map((value, round) => value - (base[round] ?? Number.NaN));
    console.log(
      `${median(us).toFixed(1).padStart(7)}  ${cell.load.padEnd(8)} ${cell.server.name.padEnd(48)} ` +
        `vs the service: ${median(paired) >= 0 ? '+' : ''}${median(paired).toFixed(1)} µs  ` +
        `[${us.map((v) => v.toFixed(0)).join(', ')}]  ${Math.round(median(ms.map((m) => m.rps)))}/s, ` +
        `core busy ${Math.round(100 * median(ms.map((m) => m.serverCpuSeconds / m.seconds)))}%, ` +
        `peak ${Math.round(Math.max(...ms.map((m) => m.peakRssMb)))} MB`,
    );
  }
}

void main();
