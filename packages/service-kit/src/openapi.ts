import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type ApiOperation,
  AuthpairError,
  DOCS_PATH,
  DOCS_SCRIPT_PATH,
  METRICS_PATH,
  OPENAPI_PATH,
  type OpenApiDocument,
} from '@authpair/contracts';
import Router from '@koa/router';
import type { MetricsListener } from './metrics';

/**
 * Scalar's API reference bundle as this service serves it. It is copied
 * out of the npm package (pinned by the lockfile) into
 * `packages/service-kit/assets/` by `scripts/vendor-api-reference.js`, so
 * `/docs` works on an offline or air-gapped machine and no CDN learns who
 * reads the docs. `assets/` sits beside both `src/` and `dist/`.
 */
export interface ApiReferenceBundle {
  version: string;
  /** Subresource Integrity of the bytes served: the browser runs exactly these or nothing. */
  integrity: string;
  body: Buffer;
  /** The body gzipped (4.8 MB is 1.4 MB), compressed on first use rather than at every start. */
  gzipped(): Buffer;
}

const ASSETS = join(__dirname, '..', 'assets');

let bundle: ApiReferenceBundle | null | undefined;

/** The vendored bundle, read once per process; null when it was never vendored (see the script). */
export function apiReferenceBundle(): ApiReferenceBundle | null {
  if (bundle !== undefined) return bundle;
  try {
    const body = readFileSync(join(ASSETS, 'api-reference.js'));
    const { version } = JSON.parse(readFileSync(join(ASSETS, 'api-reference.json'), 'utf8')) as {
      version: string;
    };
    let gzipped: Buffer | undefined;
    bundle = {
      version,
      integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
      body,
      gzipped: () => {
        gzipped ??= gzipSync(body);
        return gzipped;
      },
    };
  } catch {
    bundle = null;
  }
  return bundle;
}

/**
 * The one page that runs a script, so it gets its own policy: scripts,
 * requests and images from this origin only (no inline script, no other
 * origin), inline styles (the viewer injects its own), no fonts from
 * anywhere (the default ones are turned off), and never inside a frame.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);

/**
 * The HTML of `/docs`: the viewer, pointed at the document next to it
 * (relative URLs, so a path prefix works). Without a vendored viewer it
 * says so and links the document.
 */
export function apiReferencePage(title: string, viewer = apiReferenceBundle()): string {
  // Nothing that would call out: no default fonts, no telemetry, no hosted agent.
  const configuration = JSON.stringify({
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    hideClientButton: true,
  });
  const document = `<a href=".${OPENAPI_PATH}">.${OPENAPI_PATH}</a>`;
  const body =
    viewer === null
      ? `<p>The viewer is not installed in this build (run <code>npm run build</code>). The OpenAPI document is at ${document}.</p>`
      : `<noscript>This page needs JavaScript. The OpenAPI document it renders is at ${document}.</noscript>
<script id="api-reference" data-url=".${OPENAPI_PATH}" data-configuration="${escapeHtml(configuration)}"></script>
<script src=".${DOCS_SCRIPT_PATH}?v=${encodeURIComponent(viewer.version)}" integrity="${viewer.integrity}"></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * `GET /openapi.json` (the service's OpenAPI 3.1 document), `GET /docs`
 * (the page for people) and the page's script.
 */
export function apiDocumentRoutes(document: OpenApiDocument): Router {
  const router = new Router();
  const page = apiReferencePage(document.info.title);
  router.get(OPENAPI_PATH, function openApiDocument(ctx) {
    ctx.body = document;
  });
  router.get(DOCS_PATH, function apiReference(ctx) {
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });
  router.get(DOCS_SCRIPT_PATH, function apiReferenceScript(ctx) {
    const viewer = apiReferenceBundle();
    if (viewer === null) throw new AuthpairError('not_found', 'the viewer is not installed');
    // Versioned by `?v=`: a new version is a new URL, so this one never changes.
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.vary('Accept-Encoding');
    ctx.type = 'text/javascript; charset=utf-8';
    if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = viewer.gzipped();
    } else {
      ctx.body = viewer.body;
    }
  });
  return router;
}

/** Leaves `/metrics` out of the document when it is served on a port of its own. */
export function servedElsewhere(metricsListener: MetricsListener | undefined) {
  return (operation: ApiOperation): boolean =>
    metricsListener !== undefined && operation.path === METRICS_PATH;
}
