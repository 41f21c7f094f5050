import Router from '@koa/router';
import { type Asset, PAGE_PATHS, type PagePath } from './assets';

export interface PageRouteSettings {
  /** The resource service's URL: the one other origin the page may call. */
  resourceUrl: string;
  /** `WEB_ORIGIN`: HSTS is sent when it is https. */
  origin: string;
}

/**
 * The page's policy: its own scripts and styles only (no inline code, so an
 * injected `<script>` or `onerror=` does not run), calls to this origin and
 * the resource service only, no framing, no form posting elsewhere.
 */
export function contentSecurityPolicy(resourceUrl: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(resourceUrl).origin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * `GET /`, `/app.js`, `/app.css`, from memory, revalidated by ETag. The map
 * is filled when the service starts (the files are read then, not while wiring).
 */
export function pageRoutes(
  assets: ReadonlyMap<PagePath, Asset>,
  settings: PageRouteSettings,
): Router {
  const router = new Router();
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(settings.resourceUrl),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Revalidate on every load: a new deployment's page is never mixed with an old script.
    'Cache-Control': 'no-cache',
  };
  if (settings.origin.startsWith('https:'))
    headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  for (const path of PAGE_PATHS) {
    router.get(path, function servePageFile(ctx) {
      const asset = assets.get(path);
      if (asset === undefined) throw new Error('the page is served before the service has read it');
      ctx.set(headers);
      ctx.set('ETag', asset.etag);
      ctx.type = asset.type;
      if (ctx.get('if-none-match') === asset.etag) {
        ctx.status = 304;
        return;
      }
      ctx.body = asset.body;
    });
  }
  return router;
}
