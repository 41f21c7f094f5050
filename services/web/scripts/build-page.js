#!/usr/bin/env node
// @ts-check
/**
 * The page's files: `page/main.ts` and what it imports (@authpair/client
 * from its sources) bundled into one minified ES module, beside
 * `index.html` and `app.css`, into `dist/public`, where the service reads
 * them at start. The tests call `buildPage()` and hand the files over in
 * memory, so they never need a build.
 */
const path = require('node:path');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { gzipSync } = require('node:zlib');
const esbuild = require('esbuild');

const web = path.resolve(__dirname, '..');
const root = path.resolve(web, '../..');
const OUT_DIR = path.join(web, 'dist', 'public');

/** @returns {Promise<{ 'index.html': string, 'app.js': Uint8Array, 'app.css': string }>} */
async function buildPage() {
  const result = await esbuild.build({
    entryPoints: [path.join(web, 'page', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    // The workspace's sources, not a build of them: one bundle, however the client was built.
    alias: { '@authpair/client': path.join(root, 'packages/client/src/index.ts') },
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  return {
    'index.html': readFileSync(path.join(web, 'page', 'index.html'), 'utf8'),
    'app.js': file.contents,
    'app.css': readFileSync(path.join(web, 'page', 'app.css'), 'utf8'),
  };
}

async function main() {
  const files = await buildPage();
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, contents] of Object.entries(files))
    writeFileSync(path.join(OUT_DIR, name), contents);
  const kb = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  process.stdout.write(
    `@authpair/web page: app.js ${kb(files['app.js'].byteLength)} minified, ` +
      `${kb(gzipSync(files['app.js']).byteLength)} gzipped -> ${path.relative(process.cwd(), OUT_DIR)}\n`,
  );
}

module.exports = { buildPage };

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
