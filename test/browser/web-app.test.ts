import { REFRESH_COOKIE } from '@authpair/web';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { createAdmin } from '../support/admin';
import { blockOutside, cspViolations, withEvidence } from '../support/browser';
import {
  bearer,
  claimsOf,
  eventually,
  GOOD_PASSWORD,
  refresh,
  request,
  uniqueUsername,
} from '../support/http';
import {
  grantsAtAuth,
  grown,
  locksOf,
  openApp,
  readableStorage,
  signedInAs,
  signIn,
  tokenOfNextGreeting,
  useWebApp,
} from '../support/web';

/**
 * services/web in Debian's Chromium: the page, its backend-for-frontend,
 * auth and resource, all real, on loopback. Access tokens live 30 s (the
 * least auth allows), and auth forgives no double spend
 * (REFRESH_REUSE_GRACE_SECONDS 0): a refresh token presented twice ends
 * the session, so nothing here passes because the server was lenient.
 * Tests that need time to pass jump the page's clock (Playwright's), never
 * sleep; the server's clock runs as it does.
 */
const app = useWebApp({ auth: { ACCESS_TOKEN_TTL: '30', REFRESH_REUSE_GRACE_SECONDS: '0' } });

jest.setTimeout(60_000);

/** One access token's whole life, and a little more: past expiry on the page's clock. */
const TOKEN_LIFETIME_MS = 31_000;

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** A fresh browser profile; `clock`: the pages' time is Playwright's, for jumping ahead. */
async function profile({ clock = false } = {}) {
  const context = await app.browser.newContext();
  contexts.push(context);
  const outside = await blockOutside(context);
  if (clock) await context.clock.install();
  return { context, outside };
}

/** A registered user (through the API) and a page signed in as them (through the form). */
async function signedInPage(context: BrowserContext) {
  const username = uniqueUsername('web');
  const registered = await request(`${app.services.auth.url}/register`, {
    body: { username, password: GOOD_PASSWORD },
  });
  expect(registered.status).toBe(201);
  const page = await openApp(context, app.web.origin);
  await signIn(page, username, GOOD_PASSWORD);
  return { page, username, id: registered.body.id as string };
}

const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in', exact: true });

async function refreshCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === REFRESH_COOKIE);
}

function cookieGone(context: BrowserContext) {
  return eventually(
    () => refreshCookie(context),
    (cookie) => cookie === undefined,
    {
      what: 'the refresh cookie to be cleared',
    },
  );
}

describe('the web app', () => {
  it('registers, signs in, greets, lists and ends sessions, changes the password and logs out, by keyboard, with visible errors', async () => {
    const { context, outside } = await profile();
    const page = await openApp(context, app.web.origin);
    const violations = cspViolations(page);
    const crashes: string[] = [];
    page.on('pageerror', (error) => crashes.push(error.message));
    const username = uniqueUsername('flow');
    await withEvidence('web-whole-flow', page, async () => {
      // Every field has its label; the forms are named landmarks.
      const register = page.getByRole('form', { name: 'Create an account' });
      expect(await register.ariaSnapshot()).toMatch(/textbox "Username"[\s\S]*textbox "Password"/);
      await register.getByLabel('Username').fill(username);
      await register.getByLabel('Password').fill('short');
      await register.getByLabel('Password').press('Enter');
      // Refused by auth's policy: said under the field, which is marked invalid and focused.
      const password = register.getByLabel('Password');
      await page.getByText('Password: must be at least 8 characters').waitFor();
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate('document.activeElement.id')).toBe('register-password');
      await password.fill(GOOD_PASSWORD);
      await password.press('Enter');
      await page.getByText(`Account created for ${username}.`).waitFor();
      // Ready to sign in: the name filled in, the focus on the password.
      const signInForm = page.getByRole('form', { name: 'Sign in' });
      expect(await signInForm.getByLabel('Username').inputValue()).toBe(username);
      expect(await page.evaluate('document.activeElement.id')).toBe('login-password');

      await page.keyboard.type('not the password');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
      expect(await page.evaluate('document.activeElement.id')).toBe('login-form-error');

      await signIn(page, username, GOOD_PASSWORD);
      expect(await page.evaluate('document.activeElement.id')).toBe('welcome');
      await page.getByText(`Hello, ${username}! This is a protected resource.`).waitFor();

      // A second session of the same user, elsewhere; the list says which one is this browser's.
      const elsewhere = await request(`${app.services.auth.url}/login`, {
        body: { username, password: GOOD_PASSWORD },
      });
      await page.getByRole('button', { name: 'Reload the list' }).click();
      const sessions = page.getByRole('list').getByRole('listitem');
      await page.getByText('2 live sessions.').waitFor();
      const current = sessions.filter({ hasText: 'This session (this browser)' });
      expect(await current.count()).toBe(1);
      expect(await current.getAttribute('aria-current')).toBe('true');
      expect(await current.getByRole('button').count()).toBe(0);
      await sessions.getByRole('button', { name: 'End this session' }).click();
      await page.getByText('Session ended. It can no longer be used.').waitFor();
      expect(await sessions.count()).toBe(1);
      expect(await page.evaluate('document.activeElement.id')).toBe('sessions-title');
      const ended = await refresh(app.services.auth.url, elsewhere.body.refresh_token);
      expect(ended.body).toMatchObject({ error: 'invalid_grant', reason: 'session_ended' });

      const change = page.getByRole('form', { name: 'Change your password' });
      await change.getByLabel('Current password').fill('not the password');
      await change.getByLabel('New password').fill('a brand new passphrase');
      await change.getByLabel('New password').press('Enter');
      const current_password = change.getByLabel('Current password');
      await change.locator('.field-error').waitFor();
      expect(await current_password.getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate('document.activeElement.id')).toBe('current-password');
      await current_password.fill(GOOD_PASSWORD);
      await change.getByLabel('New password').fill('a brand new passphrase');
      await change.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Password changed.').waitFor();
      const relogin = await request(`${app.services.auth.url}/login`, {
        body: { username, password: 'a brand new passphrase' },
      });
      expect(relogin.status).toBe(200);
      // This session continued through the change.
      await tokenOfNextGreeting(page);

      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.getByText('You signed out.').waitFor();
      expect(await page.evaluate('document.activeElement.id')).toBe('notice');
      // The page forgets the session at once; the cookie goes with the backend's answer.
      await cookieGone(context);
      await page.reload();
      await signInHeading(page).waitFor();
    });
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    expect(crashes).toEqual([]);
  });

  it('comes back signed in after a reload, from the HttpOnly cookie, with nothing readable by page JavaScript', async () => {
    const { context } = await profile();
    const { page, username } = await signedInPage(context);
    await withEvidence('web-reload', page, async () => {
      const before = await refreshCookie(context);
      expect(before).toMatchObject({
        name: '__Host-authpair-refresh',
        domain: 'localhost',
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
      });
      const value = before?.value ?? '';
      expect(value).toMatch(/^aprt_/);

      const resumed = page.waitForRequest((sent) => sent.url().endsWith('/auth/token'));
      await page.reload();
      const sent = await resumed;
      await signedInAs(page, username);
      // The page asked without a refresh token; the cookie carried it.
      expect(sent.postData()).toBe('grant_type=refresh_token');
      expect((await sent.allHeaders()).cookie).toContain(`${REFRESH_COOKIE}=${value}`);
      const after = await refreshCookie(context);
      expect(after?.value).toMatch(/^aprt_/);
      expect(after?.value).not.toBe(value);

      const readable = await readableStorage(page);
      expect(readable).toEqual({ cookie: '', localStorage: {}, sessionStorage: {}, indexedDB: [] });
      expect(JSON.stringify(readable)).not.toContain('aprt_');
      await tokenOfNextGreeting(page);
    });
  });

  it('stays signed in across several access-token expiries, refreshing once per expiry', async () => {
    const { context } = await profile({ clock: true });
    const { page, username } = await signedInPage(context);
    await withEvidence('web-silent-refresh', page, async () => {
      const before = await grantsAtAuth(app.services.auth.url);
      const seen = new Set([claimsOf(await tokenOfNextGreeting(page)).jti]);
      for (let expiry = 1; expiry <= 3; expiry += 1) {
        await context.clock.fastForward(TOKEN_LIFETIME_MS);
        await eventually(
          () => grantsAtAuth(app.services.auth.url),
          (now) => grown(before, now).rotated >= expiry,
          { what: `refresh ${expiry} at auth` },
        );
        await signedInAs(page, username);
        seen.add(claimsOf(await tokenOfNextGreeting(page)).jti);
      }
      expect(seen.size).toBe(4);
      expect(grown(before, await grantsAtAuth(app.services.auth.url))).toMatchObject({
        rotated: 3,
        reused: 0,
        revoked: 0,
        invalid: 0,
      });
    });
  });

  it('lets two tabs race one refresh: exactly one reaches auth, both stay signed in, the session lives', async () => {
    const { context } = await profile({ clock: true });
    const { page: first, username } = await signedInPage(context);
    const second = await openApp(context, app.web.origin);
    await withEvidence('web-two-tabs', second, async () => {
      await signedInAs(second, username);
      await Promise.all([tokenOfNextGreeting(first), tokenOfNextGreeting(second)]);
      const before = await grantsAtAuth(app.services.auth.url);

      // Every refresh the browser sends is held until both tabs are in the race.
      const held: Route[] = [];
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      await context.route('**/auth/token', async (route) => {
        held.push(route);
        await gate;
        await route.fallback();
      });
      await context.clock.fastForward(TOKEN_LIFETIME_MS);
      // One tab's refresh is on the wire, held; the other waits for the lock it holds.
      await eventually(
        async () => ({ ...(await locksOf(first)), sent: held.length }),
        (race) => race.held === 1 && race.pending === 1 && race.sent === 1,
        { what: "one tab's refresh held on the wire, the other tab waiting for the lock" },
      );
      release();

      const [a, b] = await Promise.all([tokenOfNextGreeting(first), tokenOfNextGreeting(second)]);
      expect(a).toBe(b);
      expect(held).toHaveLength(1);
      expect(grown(before, await grantsAtAuth(app.services.auth.url))).toEqual({
        rotated: 1,
        retried: 0,
        reused: 0,
        expired: 0,
        revoked: 0,
        invalid: 0,
        invalid_scope: 0,
      });
      // The session is alive at auth, and it is the one both tabs hold.
      const sessions = await request(`${app.services.auth.url}/sessions`, { headers: bearer(a) });
      expect(sessions.status).toBe(200);
      expect(sessions.body.sessions).toEqual([
        expect.objectContaining({ id: claimsOf(a).sid, current: true }),
      ]);
    });
  });

  it('signs the other tab out within a second of a logout in one', async () => {
    const { context } = await profile();
    const { page: first, username } = await signedInPage(context);
    const second = await openApp(context, app.web.origin);
    await withEvidence('web-logout-tabs', second, async () => {
      await signedInAs(second, username);
      await first.getByRole('button', { name: 'Log out', exact: true }).click();
      const clicked = Date.now();
      await second.getByText('You signed out.').waitFor({ timeout: 1000 });
      expect(Date.now() - clicked).toBeLessThan(1000);
      await signInHeading(second).waitFor({ timeout: 1000 });
      await cookieGone(context);
      await second.reload();
      await signInHeading(second).waitFor();
    });
  });

  it('shows a user whom an administrator disabled as signed out, saying so', async () => {
    const { context } = await profile({ clock: true });
    const { page, id } = await signedInPage(context);
    await withEvidence('web-disabled', page, async () => {
      const admin = await createAdmin(app.services.db.url, app.services.auth.url);
      const disabled = await request(`${app.services.auth.url}/admin/users/${id}/disable`, {
        method: 'POST',
        headers: bearer(admin.token),
      });
      expect(disabled.status).toBe(200);
      // The page learns at its next refresh, due once the token has lived its life.
      await context.clock.fastForward(TOKEN_LIFETIME_MS);
      await page
        .getByText('You were signed out: an administrator disabled your account.')
        .waitFor();
      await signInHeading(page).waitFor();
      expect(await page.evaluate('document.activeElement.id')).toBe('notice');
      expect(await refreshCookie(context)).toBeUndefined();
      await page.reload();
      await signInHeading(page).waitFor();
    });
  });
});
