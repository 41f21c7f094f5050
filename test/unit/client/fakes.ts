/**
 * In-memory stand-ins for the client's surroundings: an auth service with
 * rotation and reuse detection (grace window 0, so any double spend ends
 * the session), a resource server, Web Locks, a BroadcastChannel bus, a
 * visibility switch and shared storage. The real services are exercised
 * in test/integration/client.test.ts; these make the races reproducible.
 */
import {
  type AuthpairClientOptions,
  type ChannelLike,
  type LockManagerLike,
  type StorageAdapter,
  type StorageScope,
  type VisibilityLike,
  webStorage,
} from '@authpair/client';

export const AUTH_URL = 'https://auth.test';
export const API_URL = 'https://api.test';

type Mode = 'up' | 'network_error' | 'unavailable';

interface Login {
  username: string;
  password: string;
}

interface FakeSession {
  userId: string;
  username: string;
  ended?: string;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

let counter = 0;

export class FakeAuth {
  /** Requests to `/token`, answered or not. */
  tokenCalls = 0;
  /** Refresh tokens presented after they were spent. */
  reuses = 0;
  resourceCalls = 0;
  expiresIn = 900;
  mode: Mode = 'up';
  retryAfter: string | undefined;
  /** Answer `/token` even when the client aborted the request (its response was already on the way). */
  ignoreAbort = false;
  /** While set, `/token` waits for it before deciding... */
  gate: Promise<void> | undefined;
  /** ...or, with `gateAfterRotation`, after rotating and before answering (a slow response). */
  gateAfterRotation = false;
  /** Access tokens the resource server refuses although they are live (clock skew, a key it lacks). */
  readonly refusedByResource = new Set<string>();
  readonly sessions = new Map<string, FakeSession>();
  readonly refreshTokens = new Map<string, { sid: string; spent: boolean }>();
  readonly accessTokens = new Map<string, string>();
  readonly resourceRequests: Array<{ authorization: string | null; body: string }> = [];

  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin === API_URL) return this.#resource(request);
    if (url.pathname === '/token') this.tokenCalls += 1;
    if (this.mode === 'network_error') throw new TypeError('fetch failed');
    if (this.mode === 'unavailable')
      return json(
        503,
        { code: 'service_unavailable', error: 'temporarily_unavailable' },
        this.retryAfter === undefined ? {} : { 'retry-after': this.retryAfter },
      );
    switch (`${request.method} ${url.pathname}`) {
      case 'POST /register':
        return json(201, { id: 'new-user', username: ((await request.json()) as Login).username });
      case 'POST /login':
        return this.#login((await request.json()) as Login);
      case 'POST /token':
        return this.#token(new URLSearchParams(await request.text()), request.signal);
      case 'POST /revoke':
        return this.#revoke(new URLSearchParams(await request.text()));
      case 'POST /logout':
        return this.#authenticated(request, (sid) => {
          if (url.searchParams.get('scope') === 'all') {
            const { userId } = this.sessions.get(sid) as FakeSession;
            for (const session of this.sessions.values())
              if (session.userId === userId) session.ended ??= 'session_ended';
          } else this.end(sid, 'session_ended');
          return new Response(null, { status: 204 });
        });
      case 'GET /sessions':
        return this.#authenticated(request, (sid) =>
          json(200, { sessions: [{ id: sid, current: true }] }),
        );
      case 'POST /password':
        return this.#authenticated(request, () => json(200, { sessions_ended: 2 }));
      default:
        if (request.method === 'DELETE' && url.pathname.startsWith('/sessions/'))
          return this.#authenticated(request, () => {
            this.end(decodeURIComponent(url.pathname.slice('/sessions/'.length)), 'session_ended');
            return new Response(null, { status: 204 });
          });
        return json(404, { code: 'not_found' });
    }
  }) as typeof fetch;

  /** A session as if logged in elsewhere; returns its refresh token. */
  issue(username = 'alice'): { sid: string; body: Record<string, unknown> } {
    counter += 1;
    const sid = `sid-${counter}`;
    this.sessions.set(sid, { userId: `id-${username}`, username });
    return { sid, body: this.#tokens(sid) };
  }

  end(sid: string, reason: string): void {
    const session = this.sessions.get(sid);
    if (session !== undefined) session.ended ??= reason;
  }

  /** Lets every waiting `/token` (or resource) request through. */
  openGate(which: 'token' | 'resource' = 'token'): void {
    if (which === 'token') this.gate = undefined;
    else this.resourceGate = undefined;
    this.#release[which]?.();
  }

  closeGate(which: 'token' | 'resource' = 'token'): void {
    const gate = new Promise<void>((resolve) => {
      this.#release[which] = resolve;
    });
    if (which === 'token') this.gate = gate;
    else this.resourceGate = gate;
  }

  /** While set, the resource server waits for it before answering. */
  resourceGate: Promise<void> | undefined;
  /** The headers of each resource request. */
  readonly resourceHeaders: Headers[] = [];
  readonly #release: { token?: () => void; resource?: () => void } = {};

  #tokens(sid: string, username = this.sessions.get(sid)?.username): Record<string, unknown> {
    counter += 1;
    const session = this.sessions.get(sid) as FakeSession;
    const access = [
      base64url({ alg: 'RS256', typ: 'at+jwt' }),
      // `exp` far in the past on purpose: the client must never look at it.
      base64url({ sub: session.userId, username, sid, exp: 1, jti: `a${counter}` }),
      'signature',
    ].join('.');
    const refresh = `aprt_${counter}`;
    this.accessTokens.set(access, sid);
    this.refreshTokens.set(refresh, { sid, spent: false });
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      refresh_token: refresh,
    };
  }

  #login(body: Login): Response {
    if (body.password !== 'correct horse battery staple')
      return json(401, { code: 'invalid_credentials' });
    return json(200, this.issue(body.username).body);
  }

  async #token(params: URLSearchParams, signal: AbortSignal): Promise<Response> {
    // Like a real fetch, an abort ends the wait at once (unless the answer was on its way).
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), {
        once: true,
      }),
    );
    aborted.catch(() => {});
    if (!this.gateAfterRotation)
      while (this.gate !== undefined)
        await (this.ignoreAbort ? this.gate : Promise.race([this.gate, aborted]));
    const answer = this.#decide(params);
    if (this.gateAfterRotation) while (this.gate !== undefined) await this.gate;
    if (signal.aborted && !this.ignoreAbort) throw new DOMException('aborted', 'AbortError');
    return answer;
  }

  #decide(params: URLSearchParams): Response {
    const presented = this.refreshTokens.get(params.get('refresh_token') ?? '');
    if (presented === undefined) return invalidGrant('invalid');
    const session = this.sessions.get(presented.sid) as FakeSession;
    if (presented.spent) {
      this.reuses += 1;
      session.ended ??= 'reuse_detected';
      return invalidGrant('reuse_detected');
    }
    if (session.ended !== undefined) return invalidGrant(session.ended);
    presented.spent = true;
    return json(200, this.#tokens(presented.sid));
  }

  #revoke(params: URLSearchParams): Response {
    const token = params.get('token') ?? '';
    const sid = this.refreshTokens.get(token)?.sid ?? this.accessTokens.get(token);
    if (sid !== undefined) this.end(sid, 'session_ended');
    return new Response('', { status: 200 });
  }

  #live(authorization: string | null): string | undefined {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    const sid = this.accessTokens.get(token);
    if (sid === undefined || this.sessions.get(sid)?.ended !== undefined) return undefined;
    return sid;
  }

  #authenticated(request: Request, answer: (sid: string) => Response): Response {
    const sid = this.#live(request.headers.get('authorization'));
    return sid === undefined ? json(401, { code: 'invalid_token' }) : answer(sid);
  }

  async #resource(request: Request): Promise<Response> {
    this.resourceCalls += 1;
    this.resourceHeaders.push(request.headers);
    const authorization = request.headers.get('authorization');
    this.resourceRequests.push({ authorization, body: await request.text() });
    while (this.resourceGate !== undefined) await this.resourceGate;
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    if (this.#live(authorization) === undefined || this.refusedByResource.has(token))
      return json(
        401,
        { code: 'invalid_token' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    return json(200, { message: 'hello' });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function invalidGrant(reason: string): Response {
  return json(400, { error: 'invalid_grant', code: 'invalid_grant', reason });
}

/** Web Locks with exclusive locks, abortable waits and `steal`, in one process. */
export class FakeLocks implements LockManagerLike {
  readonly #holders = new Map<string, symbol>();
  readonly #queues = new Map<string, Array<{ id: symbol; grant: () => void }>>();
  requests = 0;

  isHeld(name: string): boolean {
    return this.#holders.has(name);
  }

  async request<T>(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T> {
    this.requests += 1;
    const id = Symbol(name);
    if (options.steal === true || !this.#holders.has(name)) this.#holders.set(name, id);
    else
      await new Promise<void>((resolve, reject) => {
        const queue = this.#queues.get(name) ?? [];
        this.#queues.set(name, queue);
        const entry = { id, grant: resolve };
        queue.push(entry);
        options.signal?.addEventListener('abort', () => {
          const index = queue.indexOf(entry);
          if (index < 0) return;
          queue.splice(index, 1);
          reject(new DOMException('the lock request was aborted', 'AbortError'));
        });
      });
    try {
      return await callback({ name });
    } finally {
      if (this.#holders.get(name) === id) {
        this.#holders.delete(name);
        const next = this.#queues.get(name)?.shift();
        if (next !== undefined) {
          this.#holders.set(name, next.id);
          next.grant();
        }
      }
    }
  }

  /** Holds `name` until the returned function is called (a frozen tab). */
  hold(name: string): () => void {
    let release: () => void = () => {};
    void this.request(name, {}, () => new Promise<void>((resolve) => (release = resolve)));
    return () => release();
  }
}

/** BroadcastChannel semantics (never to the sender, asynchronous, structured clone) in one process. */
export class FakeBus {
  readonly #channels = new Set<{ name: string; deliver: (data: unknown) => void }>();
  readonly open = (name: string): ChannelLike => {
    const listeners: Array<(event: { data: unknown }) => void> = [];
    const self = {
      name,
      deliver: (data: unknown) => {
        for (const listener of listeners) listener({ data });
      },
    };
    this.#channels.add(self);
    return {
      postMessage: (message) => {
        const data = structuredClone(message);
        for (const channel of this.#channels)
          if (channel !== self && channel.name === name)
            queueMicrotask(() => channel.deliver(data));
      },
      addEventListener: (_type, listener) => void listeners.push(listener),
      close: () => void this.#channels.delete(self),
    };
  };
}

export class FakeVisibility implements VisibilityLike {
  visible = true;
  readonly #listeners = new Set<() => void>();
  isVisible = () => this.visible;
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(visible: boolean): void {
    this.visible = visible;
    for (const listener of this.#listeners) listener();
  }
}

/** One storage area, as `localStorage` is for every tab of an origin. */
export function sharedArea(scope: StorageScope = 'shared') {
  const items = new Map<string, string>();
  const area = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
  return { items, adapter: (): StorageAdapter => webStorage(area, scope) };
}

export const PASSWORD = 'correct horse battery staple';

/** What clients made with `optionsFor` reported through `onError`; each file asserts it stays empty. */
export const reported: unknown[] = [];

/** Options for a client against `auth`, Node-style (no tabs) unless `crossTab` is given. */
export function optionsFor(
  auth: FakeAuth,
  overrides: Partial<AuthpairClientOptions> = {},
): AuthpairClientOptions {
  return {
    authUrl: AUTH_URL,
    fetch: auth.fetch,
    autoRefresh: false,
    crossTab: false,
    onError: (error) => void reported.push(error),
    ...overrides,
  };
}

/** Lets queued microtasks and already-due timers run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
