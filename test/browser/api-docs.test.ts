import type { Browser } from 'playwright-core';
import { blockOutside, cspViolations, launchChromium, withEvidence } from '../support/browser';
import { useServices } from '../support/services';

/**
 * `/docs` in a real browser with the network to the outside blocked: the
 * viewer comes from the service itself, so the operations are listed, and
 * nothing on the page even tries to reach another host.
 */
const services = useServices({ resource: {} });
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the /docs page', () => {
  it.each([
    ['auth', () => services.auth.url],
    ['resource', () => services.resource.url],
  ])(
    'of the %s service lists its operations offline, and calls no other host',
    async (name, url) => {
      // What the page must show: every tag of the document in the sidebar, the first tag's paths expanded.
      const document = (await (await fetch(`${url()}/openapi.json`)).json()) as {
        tags: Array<{ name: string }>;
        paths: Record<string, Record<string, { tags: string[] }>>;
      };
      const [first] = document.tags;
      const firstPaths = Object.entries(document.paths)
        .filter(([, operations]) =>
          Object.values(operations).some((operation) => operation.tags.includes(first?.name ?? '')),
        )
        .map(([path]) => path);
      expect(firstPaths.length).toBeGreaterThan(0);
      const context = await browser.newContext();
      const outside = await blockOutside(context);
      const page = await context.newPage();
      const violations = cspViolations(page);
      try {
        await withEvidence(`docs-${name}`, page, async () => {
          const response = await page.goto(`${url()}/docs`);
          expect(response?.status()).toBe(200);
          for (const text of [...document.tags.map((tag) => tag.name), ...firstPaths])
            await page.getByText(text, { exact: true }).first().waitFor({ timeout: 20_000 });
        });
        expect(outside).toEqual([]);
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
