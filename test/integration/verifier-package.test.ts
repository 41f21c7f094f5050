import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_AUDIENCE, TEST_FEED_TOKEN, TEST_ISSUER } from '../support/services';
import { TestIssuer } from '../support/test-issuer';

// @authpair/verifier as a user gets it: `npm pack` of it and of the one
// workspace package it depends on, installed from the tarballs into a
// scratch app outside the workspace (its other dependencies from the npm
// registry), verifying tokens of a test issuer on loopback there.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

jest.setTimeout(180_000);

let scratch: string;
let issuer: TestIssuer;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'authpair-verifier-pack-'));
  issuer = await new TestIssuer().start();
});
afterAll(async () => {
  await issuer?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

/** What the scratch app runs: the installed package, from its own node_modules. */
const CHECK = `
const { createVerifier } = require('@authpair/verifier');
const adapters = ['koa', 'express', 'fastify'].map((name) => typeof require('@authpair/verifier/' + name));
const [issuer, audience, jwksUrl, token, revoked] = process.argv.slice(2);
const verifier = createVerifier({ issuer, audience, jwksUrl, revocation: { token: process.env.FEED_TOKEN } });
const outcome = (promise) => promise.then((claims) => claims.username, (error) => error.code);
(async () => {
  const health = await verifier.ready();
  const result = {
    resolvedFrom: require.resolve('@authpair/verifier'),
    adapters,
    health: health.status,
    valid: await outcome(verifier.authenticate({ headers: { authorization: 'Bearer ' + token } })),
    revoked: await outcome(verifier.verify(revoked)),
    forged: await outcome(verifier.verify(token.slice(0, -4) + 'AAAA')),
  };
  await verifier.close();
  process.stdout.write(JSON.stringify(result));
})();
`;

/** What a TypeScript app imports: the core and each adapter's types (the frameworks need not be installed). */
const TYPES = `
import { createVerifier } from '@authpair/verifier';
import type { ExpressBearer } from '@authpair/verifier/express';
import type { FastifyBearer } from '@authpair/verifier/fastify';
import type { KoaBearer } from '@authpair/verifier/koa';
export type Adapters = [ExpressBearer, FastifyBearer, KoaBearer];
export const verifier = createVerifier({ issuer: 'i', audience: 'a', jwksUrl: 'http://x/jwks', revocation: false });
`;
/** The workspace's own compiler and Node types, so the scratch app installs nothing more. */
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const TYPE_ROOTS = path.join(ROOT, 'node_modules/@types');

describe('the packed @authpair/verifier', () => {
  it('installs from its tarballs into an app outside the workspace and verifies tokens there', async () => {
    const { stdout: packed } = await run(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        scratch,
        '-w',
        '@authpair/contracts',
        '-w',
        '@authpair/verifier',
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const tarballs = JSON.parse(packed) as Array<{ filename: string; files: { path: string }[] }>;
    const shipped = tarballs.flatMap(({ files }) => files.map((file) => file.path));
    expect(shipped).toContain('dist/adapters/fastify.js');
    expect(shipped.filter((file) => /tsbuildinfo|examples\/|\.test\./.test(file))).toEqual([]);
    expect((await readdir(scratch)).sort()).toEqual(
      ['authpair-contracts-0.1.0.tgz', 'authpair-verifier-0.1.0.tgz'].sort(),
    );

    const app = path.join(scratch, 'app');
    await run('mkdir', [app]);
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch-resource-server',
        private: true,
        dependencies: {
          '@authpair/contracts': 'file:../authpair-contracts-0.1.0.tgz',
          '@authpair/verifier': 'file:../authpair-verifier-0.1.0.tgz',
        },
      }),
    );
    await writeFile(path.join(app, 'check.js'), CHECK);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });

    issuer.feed.revoked.push('revoked-session');
    const { stdout } = await run(
      process.execPath,
      [
        'check.js',
        TEST_ISSUER,
        TEST_AUDIENCE,
        issuer.jwksUrl,
        issuer.mint({ claims: { username: 'packed' } }),
        issuer.mint({ claims: { sid: 'revoked-session' } }),
      ],
      { cwd: app, env: { ...process.env, FEED_TOKEN: TEST_FEED_TOKEN } },
    );
    const result = JSON.parse(stdout);
    expect(result.resolvedFrom.startsWith(app)).toBe(true);
    expect(result).toMatchObject({
      adapters: ['object', 'object', 'object'],
      health: 'ready',
      valid: 'packed',
      revoked: 'invalid_token',
      forged: 'invalid_token',
    });

    // A TypeScript app finds the adapters' types under each module resolution in use,
    // including node10, the default of `module: commonjs`, which ignores `exports`.
    await writeFile(path.join(app, 'types.ts'), TYPES);
    const failures: string[] = [];
    for (const [module, moduleResolution] of [
      ['commonjs', 'node10'],
      ['nodenext', 'nodenext'],
      ['preserve', 'bundler'],
    ]) {
      await run(
        process.execPath,
        [
          TSC,
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--types',
          'node',
          '--typeRoots',
          TYPE_ROOTS,
        ]
          .concat(['--module', module as string, '--moduleResolution', moduleResolution as string])
          .concat(['types.ts']),
        { cwd: app },
      ).catch((error: { stdout?: string }) =>
        failures.push(`${moduleResolution}: ${error.stdout ?? String(error)}`),
      );
    }
    expect(failures).toEqual([]);
  });
});
