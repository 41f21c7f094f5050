/**
 * The browser bundle's budget (10 KB minified and gzipped), checked on
 * every run; `npm run build` prints the same figure.
 */
const { bundle, BUDGET_GZIP_BYTES } = require('../../../packages/client/scripts/bundle.js') as {
  bundle(): Promise<{ code: Uint8Array; minifiedBytes: number; gzipBytes: number }>;
  BUDGET_GZIP_BYTES: number;
};

describe('the browser bundle of @authpair/client', () => {
  it('stays under 10 KB minified and gzipped, with nothing of zod in it', async () => {
    const { code, gzipBytes } = await bundle();
    expect(BUDGET_GZIP_BYTES).toBe(10 * 1024);
    expect(gzipBytes).toBeLessThan(BUDGET_GZIP_BYTES);
    const text = new TextDecoder().decode(code);
    expect(text).not.toMatch(/zod|ZodError|safeParse/);
    expect(text).toMatch(/export\s*\{/);
  });
});
