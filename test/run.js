#!/usr/bin/env node
// The test runner behind `npm test` (after typecheck and lint). It decides
// where PostgreSQL comes from and whether the Docker-only suites can run,
// and says so loudly: a skipped suite is never silent, and under CI a
// missing Docker engine is a failure, not a skip.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const ci = ['true', '1'].includes(String(process.env.CI).toLowerCase());
const docker =
  spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 15_000,
    stdio: 'ignore',
  }).status === 0;

function banner(lines) {
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  const rule = '!'.repeat(width);
  process.stderr.write(
    `\n${rule}\n${lines.map((line) => `! ${line.padEnd(width - 4)} !`).join('\n')}\n${rule}\n\n`,
  );
}

if (!docker && ci) {
  banner([
    'CI=true and no Docker engine answers `docker info`.',
    'The e2e suite (the real images under docker compose) and the',
    'testcontainers PostgreSQL cannot run. Failing instead of skipping.',
    'Provision an engine first: eval "$(../shared/docker/provision)".',
  ]);
  process.exit(1);
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromium = require('node:fs').existsSync(chromiumPath);
if (!chromium && ci) {
  banner([
    `CI=true and there is no Chromium at ${chromiumPath}.`,
    'The browser suite (test/browser) cannot run. Failing instead of skipping.',
    ".ci/run installs Debian's chromium when it is missing (as root).",
  ]);
  process.exit(1);
}

const projects = ['unit', 'integration', 'security'];
const skipped = [];
if (docker) projects.push('e2e');
else
  skipped.push(
    'e2e (docker compose against the real images): no Docker engine answers `docker info`',
  );
if (chromium) projects.push('browser');
else
  skipped.push(
    `browser (Debian's Chromium driven by playwright-core): no ${chromiumPath}; apt-get install chromium`,
  );

const env = {
  ...process.env,
  AUTHPAIR_TEST_DB: process.env.AUTHPAIR_TEST_DB ?? (docker ? 'testcontainers' : 'embedded'),
};
if (skipped.length > 0) {
  banner([
    'SKIPPING test suites:',
    ...skipped.map((suite) => `  - ${suite}`),
    `PostgreSQL for the other suites: ${env.AUTHPAIR_TEST_DB} (no Docker).`,
  ]);
}

const jest = require.resolve('jest/bin/jest');
const result = spawnSync(
  process.execPath,
  [
    jest,
    '--config',
    path.join(root, 'test/jest.config.js'),
    '--selectProjects',
    ...projects,
    ...process.argv.slice(2),
  ],
  { cwd: root, env, stdio: 'inherit' },
);

// The benchmark's smoke run (`npm run bench -- --quick`, about a minute):
// every load once, briefly, failing on any request that should have
// succeeded. Only after a whole, green suite: not when jest was given any
// argument (a targeted run), and not when AUTHPAIR_BENCH_SMOKE=0. Its
// figures go to test/bench/results/quick.* (not committed); the full run
// stays manual.
let status = result.status ?? 1;
const smoke = status === 0 && process.argv.length <= 2 && process.env.AUTHPAIR_BENCH_SMOKE !== '0';
if (smoke) {
  process.stderr.write('\n[test] benchmark smoke run: npm run bench -- --quick\n');
  const bench = spawnSync('npm', ['run', 'bench', '--', '--quick'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (bench.error) process.stderr.write(`[test] could not run the benchmark: ${bench.error}\n`);
  status = bench.status ?? 1;
} else if (status === 0) {
  skipped.push('benchmark smoke run (jest was given arguments, or AUTHPAIR_BENCH_SMOKE=0)');
}

if (skipped.length > 0)
  banner(['Reminder: these were SKIPPED:', ...skipped.map((suite) => `  - ${suite}`)]);
process.exit(status);
