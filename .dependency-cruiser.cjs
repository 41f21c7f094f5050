// @ts-check
/**
 * The walls between the parts of authpair, checked by `npm run lint` (so by
 * `npm test` and CI). Each rule names a direction dependencies must not
 * take; test/unit/structure/walls.test.ts adds one forbidden import per rule
 * to a small tree laid out like this one and expects the check to fail.
 *
 * A service's `src/` has three kinds of place:
 * - the composition root: the files directly in `src/` (app.ts, start.ts,
 *   main.ts, config.ts, index.ts), which wire everything together;
 * - edges: `http/` (Koa routes and middleware) and `cli/` (auth-admin),
 *   which translate the outside world into calls on the domain;
 * - domain folders: every other folder (users/, sessions/, keys/, ...).
 */

/** A service's own code, or a service reached through its package name. */
const SERVICE = '^(services/|(node_modules/)?@authpair/(auth|resource|web)(/|$))';
/** A file inside a domain folder of a service; group 1 is the service. */
const DOMAIN = '^services/([^/]+)/src/[^/]+/';
const EDGE = '^services/[^/]+/src/(http|cli)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'service-to-other-service',
      comment:
        'A service never imports another service: they talk over HTTP, and share code only through packages/*.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: SERVICE, pathNot: '^services/$1/' },
    },
    {
      name: 'package-to-service',
      comment:
        'packages/* are what services build on; they never import a service (dependencies point from services to packages).',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: SERVICE },
    },
    {
      name: 'domain-to-edge',
      comment:
        'Inside a service, http/ and cli/ may import domain folders, never the reverse: the domain knows nothing of Koa or the command line.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: EDGE },
      to: { path: '^services/$1/src/(http|cli)/' },
    },
    {
      name: 'domain-to-composition-root',
      comment:
        'A domain folder declares the settings and dependencies it needs; it never imports the composition root (config.ts, app.ts, start.ts, main.ts, index.ts).',
      severity: 'error',
      from: { path: DOMAIN, pathNot: EDGE },
      to: { path: '^services/$1/src/[^/]+$' },
    },
    {
      name: 'folder-cycle',
      comment:
        'Folders do not import each other in a cycle (users/ -> sessions/ -> users/): one of them must give the other what it needs through an interface, or the shared piece moves.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(packages|services)/' },
      to: { circular: true },
    },
    {
      name: 'module-cycle',
      comment:
        'No module imports itself back through a runtime import (type-only imports are erased and cannot break loading order).',
      severity: 'error',
      from: { path: '^(packages|services)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    // Type-only imports are walls too: a domain that names an http/ type depends on it.
    tsPreCompilationDeps: true,
    // Workspaces are symlinked under node_modules/@authpair: resolve them to their folders.
    preserveSymlinks: false,
  },
};
