#!/usr/bin/env node
// `npm run check`: the inner loop. Typecheck, lint (Biome and the
// dependency-cruiser walls), then the unit and integration projects, each
// step timed, stopping at the first failure. `npm test` stays the full
// suite CI runs (security, e2e, browser and the benchmark smoke run too).
// Arguments go to jest: `npm run check -- test/integration/pair.test.ts`.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const docker =
  spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 15_000,
    stdio: 'ignore',
  }).status === 0;
// As test/run.js: a container when Docker answers, else embedded PostgreSQL.
const env = {
  ...process.env,
  AUTHPAIR_TEST_DB: process.env.AUTHPAIR_TEST_DB ?? (docker ? 'testcontainers' : 'embedded'),
};

const bin = (name) => path.join(root, 'node_modules/.bin', name);
const steps = [
  ['typecheck', bin('tsc'), ['-b']],
  ['typecheck tests', bin('tsc'), ['-p', 'test', '--noEmit']],
  ['lint', bin('biome'), ['check', '.']],
  [
    'walls',
    bin('depcruise'),
    ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'packages', 'services'],
  ],
  [
    'unit + integration',
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      '--config',
      path.join(root, 'test/jest.config.js'),
      '--selectProjects',
      'unit',
      'integration',
      // Most of an integration test's time is spent waiting (a poll
      // interval, a token's expiry, a held transaction), not computing, so
      // more workers than cores shortens the run; jest's default is cores - 1.
      `--maxWorkers=${process.env.CHECK_WORKERS ?? 4}`,
      ...process.argv.slice(2),
    ],
  ],
];

// Wall-clock time (Date.now), what the person waiting sees.
const began = Date.now();
const timings = [];
let status = 0;
for (const [name, command, args] of steps) {
  const start = Date.now();
  process.stderr.write(`\n[check] ${name}\n`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  const seconds = (Date.now() - start) / 1000;
  timings.push(`${name} ${seconds.toFixed(1)} s`);
  status = result.status ?? 1;
  if (result.error) process.stderr.write(`[check] could not run ${name}: ${result.error}\n`);
  if (status !== 0) {
    timings.push(`FAILED at ${name}`);
    break;
  }
}
const total = ((Date.now() - began) / 1000).toFixed(1);
process.stderr.write(`\n[check] ${timings.join(', ')}; total ${total} s\n`);
process.exit(status);
