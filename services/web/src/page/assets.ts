/**
 * The page's files: `index.html`, `app.js`, `app.css`, built by
 * scripts/build-page.js into `dist/public` (or handed over in memory by a
 * test), read once at start and served from memory. The HTML names the
 * resource service's URL in a `<meta>`, so one build serves any
 * deployment.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The built files, by name. */
export type PageFiles = Readonly<Record<'index.html' | 'app.js' | 'app.css', string | Uint8Array>>;

export const PAGE_FILE_NAMES = ['index.html', 'app.js', 'app.css'] as const;

/** One file as served. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** A strong validator: the page revalidates on each load and gets a 304 when nothing changed. */
  readonly etag: string;
}

/** Where `npm run build` puts the page (this file is dist/page/assets.js once built). */
export const BUILT_PAGE_DIR = join(__dirname, '../public');

export async function readPageFiles(dir = BUILT_PAGE_DIR): Promise<PageFiles> {
  const [html, js, css] = await Promise.all(
    PAGE_FILE_NAMES.map((name) =>
      readFile(join(dir, name)).catch((error: unknown) => {
        throw new Error(`${join(dir, name)} is missing: build the page first (npm run build)`, {
          cause: error,
        });
      }),
    ),
  );
  return { 'index.html': html as Buffer, 'app.js': js as Buffer, 'app.css': css as Buffer };
}

/** `&`, `"`, `<`, `>` and `'` as HTML entities: the value lands in an attribute. */
function attribute(value: string): string {
  return value.replace(
    /[&"'<>]/g,
    (char) => ({ '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' })[char] ?? '',
  );
}

function asset(body: string | Uint8Array, type: string): Asset {
  const bytes = Buffer.from(body);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  return { body: bytes, type, etag };
}

/** The URL paths the page is served at. */
export const PAGE_PATHS = ['/', '/app.js', '/app.css'] as const;
export type PagePath = (typeof PAGE_PATHS)[number];

/** The files as served, by URL path; the HTML with the page's settings filled in. */
export function pageAssets(
  files: PageFiles,
  settings: { resourceUrl: string },
): Map<PagePath, Asset> {
  const html = Buffer.from(files['index.html'])
    .toString('utf8')
    .replace('{{RESOURCE_URL}}', attribute(settings.resourceUrl));
  return new Map<PagePath, Asset>([
    ['/', asset(html, 'text/html; charset=utf-8')],
    ['/app.js', asset(files['app.js'], 'text/javascript; charset=utf-8')],
    ['/app.css', asset(files['app.css'], 'text/css; charset=utf-8')],
  ]);
}
