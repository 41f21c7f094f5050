import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (Playwright's own browser
 * download cannot run here). `.ci/run` installs it when it is missing;
 * CHROMIUM_PATH points elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where a failing test leaves its screenshot (git-ignored; CI keeps only the log, which gets the page's text). */
export const ARTIFACTS = join(__dirname, '../browser/artifacts');

/**
 * Flags for a machine whose network is closed: without the background
 * networking ones Chromium calls Google's services at every start, many
 * connections at a time. As root it needs --no-sandbox.
 */
const ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** Whether a URL is on this machine: the only place a test page may reach. */
export function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
}

/**
 * Aborts every request that leaves the machine, and records it: a page
 * that works only with the internet fails here, and the test can assert
 * that nothing even tried to leave.
 */
export async function blockOutside(context: BrowserContext): Promise<string[]> {
  const attempted: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    attempted.push(url);
    return route.abort('internetdisconnected');
  });
  return attempted;
}

/** Console messages that report a Content-Security-Policy violation. */
export function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/**
 * Runs `body` with `page`; when it throws, saves a screenshot to
 * ARTIFACTS and prints the page's text, then rethrows.
 */
export async function withEvidence<T>(
  name: string,
  page: Page,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    const text = await page
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is what a person saw.
      .innerText('body')
      .catch((reason: unknown) => `(no text: ${String(reason)})`);
    writeFileSync(`${file}.txt`, text);
    process.stderr.write(
      `\n[browser] ${name} failed at ${page.url()}; screenshot ${file}\n--- page text ---\n${text.slice(0, 4000)}\n---\n`,
    );
    throw error;
  }
}
