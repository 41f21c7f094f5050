#!/usr/bin/env node
// Copies Scalar's standalone browser bundle out of the npm package into
// packages/service-kit/assets/, where `/docs` serves it from the service
// itself: no CDN, so the page works offline and tells no third party who
// reads the docs. The package (311 MB with its dependencies) is a dev
// dependency; the images carry this one file (4.8 MB) and its version.
//
// Runs after `npm ci` (the root postinstall), from `npm run build`, and in
// each Dockerfile's build stage. When the package is absent (an install
// without dev dependencies) it says so and leaves nothing: `/docs` then
// says the viewer is not installed and links the document itself.

const { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const PACKAGE = '@scalar/api-reference';
const assets = join(__dirname, '..', 'assets');
const home = (require.resolve.paths(PACKAGE) ?? [])
  .map((modules) => join(modules, PACKAGE))
  .find((directory) => existsSync(join(directory, 'package.json')));
if (home === undefined) {
  process.stderr.write(
    `vendor-api-reference: ${PACKAGE} is not installed; /docs will have no viewer\n`,
  );
  process.exit(0);
}
const { version } = JSON.parse(readFileSync(join(home, 'package.json'), 'utf8'));
mkdirSync(assets, { recursive: true });
copyFileSync(join(home, 'dist/browser/standalone.js'), join(assets, 'api-reference.js'));
writeFileSync(
  join(assets, 'api-reference.json'),
  `${JSON.stringify({ package: PACKAGE, version })}\n`,
);
