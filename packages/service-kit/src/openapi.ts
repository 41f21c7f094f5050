import {
  type ApiOperation,
  DOCS_PATH,
  METRICS_PATH,
  OPENAPI_PATH,
  type OpenApiDocument,
} from '@authpair/contracts';
import Router from '@koa/router';
import type { MetricsListener } from './metrics';

/**
 * The viewer `/docs` loads: Scalar's standalone bundle, pinned by version
 * on jsDelivr and by hash (Subresource Integrity), so the browser runs
 * exactly these bytes or nothing. The hash is of `dist/browser/standalone.js`
 * in the npm tarball, which jsDelivr serves unchanged; README "API
 * documents" says how to recompute it when the version moves.
 */
export const API_REFERENCE_SCRIPT = {
  version: '1.76.0',
  url: 'https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js',
  integrity: 'sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ',
} as const;

/**
 * The one page that runs a script, so it gets its own policy: that script
 * and nothing else (no inline script, no other origin), the document from
 * this origin, inline styles (the viewer injects its own), no fonts from
 * anywhere (the default ones are turned off), and never inside a frame.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${API_REFERENCE_SCRIPT.url}`,
  "style-src 'unsafe-inline'",
  'img-src data:',
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

/** The HTML of `/docs`: the viewer, pointed at the document next to it (relative, so a path prefix works). */
export function apiReferencePage(title: string): string {
  // Nothing that would call out: no default fonts, no telemetry, no hosted agent.
  const configuration = JSON.stringify({
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    hideClientButton: true,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
<noscript>This page needs JavaScript. The OpenAPI document it renders is at <a href=".${OPENAPI_PATH}">.${OPENAPI_PATH}</a>.</noscript>
<script id="api-reference" data-url=".${OPENAPI_PATH}" data-configuration="${escapeHtml(configuration)}"></script>
<script src="${API_REFERENCE_SCRIPT.url}" integrity="${API_REFERENCE_SCRIPT.integrity}" crossorigin="anonymous"></script>
</body>
</html>
`;
}

/** `GET /openapi.json` (the service's OpenAPI 3.1 document) and `GET /docs` (the page for people). */
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
  return router;
}

/** Leaves `/metrics` out of the document when it is served on a port of its own. */
export function servedElsewhere(metricsListener: MetricsListener | undefined) {
  return (operation: ApiOperation): boolean =>
    metricsListener !== undefined && operation.path === METRICS_PATH;
}
