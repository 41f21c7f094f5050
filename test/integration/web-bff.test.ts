import { REFRESH_COOKIE, type RunningWebService } from '@authpair/web';
import {
  bearer,
  GOOD_PASSWORD,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { type ControllableProxy, startProxy } from '../support/proxy';
import { useServices } from '../support/services';
import { grantsAtAuth, grown, startWeb } from '../support/web';

/**
 * The web app's backend-for-frontend against the real auth service, from
 * Node: what the browser would send, cookie by cookie. Auth forgives no
 * double spend (grace 0), and sits behind a proxy that can slow down or
 * go away.
 */
const services = useServices({ auth: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
let proxy: ControllableProxy;
let web: RunningWebService & { origin: string };
let unshared: RunningWebService & { origin: string };

beforeAll(async () => {
  proxy = await startProxy(services.auth.url);
  const resourceUrl = 'http://127.0.0.1:9'; // the page's concern; nothing here calls it
  web = await startWeb({ authUrl: proxy.url, resourceUrl });
  unshared = await startWeb({
    authUrl: proxy.url,
    resourceUrl,
    env: { REFRESH_SHARE_WINDOW_MS: '0' },
  });
});
afterAll(async () => {
  await web?.stop(1000);
  await unshared?.stop(1000);
  await proxy?.close();
});
afterEach(() => {
  proxy.up();
  proxy.delay(0);
});

interface BffAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON
  body: any;
  /** The refresh cookie as set by the answer: its value, `''` when cleared, undefined when untouched. */
  cookie: string | undefined;
  setCookie: string[];
}

/** A request as the page sends it: from its own origin, the cookie riding along. */
async function bff(
  app: { origin: string; url: string },
  path: string,
  {
    cookie,
    json,
    form,
    headers = {},
  }: {
    cookie?: string;
    json?: object;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<BffAnswer> {
  const sent: Record<string, string> = {
    origin: app.origin,
    'sec-fetch-site': 'same-origin',
    ...headers,
  };
  if (cookie !== undefined) sent.cookie = `${REFRESH_COOKIE}=${cookie}`;
  let body: string | undefined;
  if (json !== undefined) {
    sent['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    sent['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: sent,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  const setCookie = response.headers.getSetCookie();
  const ours = setCookie.find((line) => line.startsWith(`${REFRESH_COOKIE}=`));
  return {
    status: response.status,
    body: text === '' ? undefined : JSON.parse(text),
    cookie:
      ours === undefined ? undefined : (ours.slice(REFRESH_COOKIE.length + 1).split(';')[0] ?? ''),
    setCookie,
  };
}

const refreshGrant = { grant_type: 'refresh_token' };

/** A fresh user signed in through `app`: the login's answer, and the cookie it set. */
async function login(app = web) {
  const username = uniqueUsername('bff');
  await request(`${services.auth.url}/register`, { body: { username, password: GOOD_PASSWORD } });
  const answer = await bff(app, '/auth/login', { json: { username, password: GOOD_PASSWORD } });
  expect(answer.status).toBe(200);
  return { ...answer, username, cookie: answer.cookie ?? '' };
}

describe('the web app backend', () => {
  it('answers a login with the access token only; the refresh token goes into a __Host- HttpOnly, Secure, SameSite=Strict cookie', async () => {
    const { body, setCookie, cookie } = await login();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(cookie).toMatch(/^aprt_/);
    expect(setCookie).toEqual([
      `${REFRESH_COOKIE}=${cookie}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=1209600`,
    ]);
    // The cookie is the session's live refresh token.
    const direct = await refresh(services.auth.url, cookie);
    expect(direct.status).toBe(200);
  });

  it('sends refreshes that present one cookie at once to auth as one exchange, and gives each the same tokens', async () => {
    const { cookie } = await login();
    const before = await grantsAtAuth(services.auth.url);
    proxy.delay(300);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => bff(web, '/auth/token', { cookie, form: refreshGrant })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.body.access_token)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.cookie)).size).toBe(1);
    expect(answers[0]?.body.refresh_token).toBeUndefined();
    expect(grown(before, await grantsAtAuth(services.auth.url))).toMatchObject({
      rotated: 1,
      reused: 0,
    });
  });

  it('gives a refresh still presenting the cookie it just replaced the newest session, where auth would end it for reuse', async () => {
    for (const [app, shared] of [
      [web, true],
      [unshared, false],
    ] as const) {
      const { cookie: first } = await login(app);
      const rotated = await bff(app, '/auth/token', { cookie: first, form: refreshGrant });
      expect(rotated.status).toBe(200);
      // A tab's request that left with the old cookie, or a reload that lost the answer.
      const late = await bff(app, '/auth/token', { cookie: first, form: refreshGrant });
      if (shared) {
        expect(late.status).toBe(200);
        expect(late.cookie).toBe(rotated.cookie);
        expect(late.body.access_token).toBe(rotated.body.access_token);
        const next = await bff(app, '/auth/token', {
          cookie: late.cookie ?? '',
          form: refreshGrant,
        });
        expect(next.status).toBe(200);
      } else {
        // Without the window, the late request is a second spend: auth ends the session.
        expect(late.status).toBe(400);
        expect(late.body).toMatchObject({ error: 'invalid_grant', reason: 'reuse_detected' });
        expect(late.cookie).toBe('');
      }
    }
  });

  it('refuses requests from pages of other origins or sites, and a refresh token in the body', async () => {
    const { cookie } = await login();
    for (const headers of [
      { origin: 'http://localhost:1' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const answer = await bff(web, '/auth/token', { cookie, form: refreshGrant, headers });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('foreign_origin');
      expect(answer.cookie).toBeUndefined();
    }
    const inBody = await bff(web, '/auth/token', {
      cookie,
      form: { ...refreshGrant, refresh_token: cookie },
    });
    expect(inBody.status).toBe(400);
    expect(inBody.body.error).toBe('invalid_request');
    // Still the live token: none of the refused requests spent it.
    expect((await bff(web, '/auth/token', { cookie, form: refreshGrant })).status).toBe(200);
  });

  it("answers a refresh without a cookie with invalid_grant, and clears a dead cookie with auth's reason", async () => {
    const none = await bff(web, '/auth/token', { form: refreshGrant });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: 'invalid_grant', reason: 'invalid' });

    const { cookie, body } = await login();
    const logout = await request(`${services.auth.url}/logout`, {
      method: 'POST',
      headers: bearer(body.access_token),
    });
    expect(logout.status).toBe(204);
    const dead = await bff(web, '/auth/token', { cookie, form: refreshGrant });
    expect(dead.status).toBe(400);
    expect(dead.body).toMatchObject({ error: 'invalid_grant', reason: 'session_ended' });
    expect(dead.setCookie).toEqual([
      `${REFRESH_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`,
    ]);
  });

  it('ends the session at auth and clears the cookie on logout, and still clears the cookie when auth is unreachable', async () => {
    const first = await login();
    const out = await bff(web, '/auth/logout', {
      cookie: first.cookie,
      headers: bearer(first.body.access_token),
    });
    expect(out.status).toBe(204);
    expect(out.cookie).toBe('');
    expect((await refresh(services.auth.url, first.cookie)).body.reason).toBe('session_ended');

    // Without an access token the cookie's refresh token ends the session (RFC 7009).
    const second = await login();
    const cookieOnly = await bff(web, '/auth/logout', { cookie: second.cookie });
    expect(cookieOnly.status).toBe(204);
    expect((await refresh(services.auth.url, second.cookie)).body.reason).toBe('session_ended');

    const third = await login();
    proxy.down();
    const unreachable = await bff(web, '/auth/logout', {
      cookie: third.cookie,
      headers: bearer(third.body.access_token),
    });
    expect(unreachable.status).toBe(503);
    expect(unreachable.body.code).toBe('service_unavailable');
    expect(unreachable.cookie).toBe('');
  });

  it('ends the session a new login in the same browser replaces', async () => {
    const first = await login();
    const { username } = await registerAndLogin(services.auth.url);
    const second = await bff(web, '/auth/login', {
      cookie: first.cookie,
      json: { username, password: GOOD_PASSWORD },
    });
    expect(second.status).toBe(200);
    expect(second.cookie).not.toBe(first.cookie);
    expect((await refresh(services.auth.url, first.cookie)).body.reason).toBe('session_ended');
  });

  it("passes auth's refusals through unchanged, with what a client acts on", async () => {
    const wrong = await bff(web, '/auth/login', {
      json: { username: uniqueUsername('nobody'), password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(wrong.cookie).toBeUndefined();
    const invalid = await bff(web, '/auth/register', { json: { username: '', password: 'x' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'password',
      'username',
    ]);
  });
});
