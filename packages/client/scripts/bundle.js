#!/usr/bin/env node
// @ts-check
/**
 * The browser bundle: one minified ES module with no dependencies
 * (`@authpair/contracts` is imported for types only, so zod stays out).
 * Prints its size minified and gzipped and fails past the budget, so the
 * build reports the number the issue holds it to. The unit suite calls
 * `bundle()` too (test/unit/client/bundle-size.test.ts).
 */
const { gzipSync } = require('node:zlib');
const path = require('node:path');
const { mkdirSync, writeFileSync } = require('node:fs');
const esbuild = require('esbuild');

/** Minified and gzipped, in bytes. */
const BUDGET_GZIP_BYTES = 10 * 1024;
const root = path.resolve(__dirname, '..');
const OUTFILE = path.join(root, 'dist', 'browser', 'authpair-client.js');

/** Builds the bundle in memory; returns its code and sizes. */
async function bundle() {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  const code = file.contents;
  return {
    code,
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
}

async function main() {
  const { code, minifiedBytes, gzipBytes } = await bundle();
  mkdirSync(path.dirname(OUTFILE), { recursive: true });
  writeFileSync(OUTFILE, code);
  const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
  const verdict = gzipBytes <= BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  process.stdout.write(
    `@authpair/client browser bundle: ${kb(minifiedBytes)} minified, ${kb(gzipBytes)} gzipped ` +
      `(${verdict} the ${kb(BUDGET_GZIP_BYTES)} budget) -> ${path.relative(process.cwd(), OUTFILE)}\n`,
  );
  if (gzipBytes > BUDGET_GZIP_BYTES) process.exitCode = 1;
}

module.exports = { bundle, BUDGET_GZIP_BYTES };

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
