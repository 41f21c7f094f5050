import type { RunningResourceService } from '@authpair/resource';
import {
  loadWebConfig,
  type PageFiles,
  type RunningWebService,
  startWebService,
} from '@authpair/web';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { request } from './http';
import { freePort } from './ports';
import { type Services, testLogger, useServices } from './services';
import { metricValue } from './sessions';

type Env = Record<string, string>;

const { buildPage } = require('../../services/web/scripts/build-page.js') as {
  buildPage(): Promise<PageFiles>;
};

let page: Promise<PageFiles> | undefined;
/** The page's files, bundled once per test process, in memory: the tests need no build. */
export function pageFiles(): Promise<PageFiles> {
  page ??= buildPage();
  return page;
}

export interface StartWebOptions {
  authUrl: string;
  resourceUrl: string;
  /** The port (and so `WEB_ORIGIN`, http://localhost:<port>); a free one unless given. */
  port?: number;
  env?: Env;
}

/** The web app in this process, on loopback, at http://localhost:<port> as its origin. */
export async function startWeb({
  authUrl,
  resourceUrl,
  port,
  env = {},
}: StartWebOptions): Promise<RunningWebService & { origin: string }> {
  const listenOn = port ?? (await freePort());
  const origin = `http://localhost:${listenOn}`;
  const config = loadWebConfig({
    HOST: '127.0.0.1',
    PORT: String(listenOn),
    WEB_ORIGIN: origin,
    AUTH_URL: authUrl,
    RESOURCE_URL: resourceUrl,
    ...env,
  });
  const web = await startWebService(config, testLogger('web'), { page: await pageFiles() });
  return Object.assign(web, { origin });
}

export interface WebApp {
  readonly services: Services;
  readonly resource: RunningResourceService;
  readonly web: RunningWebService & { origin: string };
  readonly browser: Browser;
}

/**
 * For a browser test file: a database, auth (with `auth`'s environment),
 * a resource service allowing the web app's origin (CORS: the page calls
 * it directly), the web app in front of auth, and one Chromium for every
 * test of the file.
 */
export function useWebApp({ auth = {}, web = {} }: { auth?: Env; web?: Env } = {}): WebApp {
  const services = useServices({ auth });
  let state: Omit<WebApp, 'services'> | undefined;
  beforeAll(async () => {
    const port = await freePort();
    const resource = await services.startResource({
      CORS_ALLOWED_ORIGINS: `http://localhost:${port}`,
    });
    const [running, browser] = await Promise.all([
      startWeb({ authUrl: services.auth.url, resourceUrl: resource.url, port, env: web }),
      launchChromium(),
    ]);
    state = { resource, web: running, browser };
  });
  afterAll(async () => {
    await state?.browser.close();
    await state?.web.stop(1000);
  });
  const started = () => {
    if (state === undefined) throw new Error('useWebApp: used before beforeAll ran');
    return state;
  };
  return {
    services,
    get resource() {
      return started().resource;
    },
    get web() {
      return started().web;
    },
    get browser() {
      return started().browser;
    },
  };
}

const OUTCOMES = [
  'rotated',
  'retried',
  'reused',
  'expired',
  'revoked',
  'invalid',
  'invalid_scope',
] as const;
type Grants = Record<(typeof OUTCOMES)[number], number>;

/** Refresh-token grants counted by the auth service itself (its /metrics), by outcome. */
export async function grantsAtAuth(authUrl: string): Promise<Grants> {
  const exposition = (await request(`${authUrl}/metrics`)).text;
  return Object.fromEntries(
    OUTCOMES.map((outcome) => [
      outcome,
      metricValue(exposition, 'refresh_token_grants_total', `outcome="${outcome}"`),
    ]),
  ) as Grants;
}

/** What grew between two counts, outcome by outcome. */
export function grown(before: Grants, after: Grants): Grants {
  return Object.fromEntries(
    OUTCOMES.map((outcome) => [outcome, after[outcome] - before[outcome]]),
  ) as Grants;
}

/** A new page of `context` at the app, once it has decided whether it is signed in. */
export async function openApp(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(origin);
  await page.locator('#loading').waitFor({ state: 'detached' });
  return page;
}

/** Signs in through the form, with the keyboard only: type, Tab, type, Enter (over what was typed). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').focus();
  for (const text of [username, password]) {
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
    await page.keyboard.press(text === password ? 'Enter' : 'Tab');
  }
  await signedInAs(page, username);
}

/** Waits for the signed-in view of `username`. */
export async function signedInAs(page: Page, username: string): Promise<void> {
  await page.getByRole('heading', { name: `Signed in as ${username}` }).waitFor();
}

/** The access token the page's next call to the resource service carries. */
export async function tokenOfNextGreeting(page: Page): Promise<string> {
  const sent = page.waitForRequest((request) => request.url().endsWith('/protected'));
  const answered = page.waitForResponse((response) => response.url().endsWith('/protected'));
  await page.getByRole('button', { name: 'Fetch the message again' }).click();
  const [request, response] = await Promise.all([sent, answered]);
  if (response.status() !== 200) throw new Error(`/protected answered ${response.status()}`);
  await page.getByText(/^Hello, .*! This is a protected resource\.$/).waitFor();
  return (request.headers().authorization ?? '').replace(/^Bearer /, '');
}

/** What page JavaScript can read of the browser's storage: cookies, both Web Storage areas, IndexedDB. */
export function readableStorage(page: Page): Promise<{
  cookie: string;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  indexedDB: string[];
}> {
  return page.evaluate(`(async () => ({
    cookie: document.cookie,
    localStorage: Object.fromEntries(Object.entries(localStorage)),
    sessionStorage: Object.fromEntries(Object.entries(sessionStorage)),
    indexedDB: (await indexedDB.databases()).map((database) => database.name),
  }))()`);
}

/** The Web Locks of the page's origin: held and waited for (`navigator.locks.query()`). */
export function locksOf(page: Page): Promise<{ held: number; pending: number }> {
  return page.evaluate(`navigator.locks.query().then((state) => ({
    held: state.held.length,
    pending: state.pending.length,
  }))`);
}
