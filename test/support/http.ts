import { request as httpRequest } from 'node:http';

/** A response with its body read: JSON when it parses, else the text. */
export interface ReadResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON
  body: any;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (sent as is). */
  body?: unknown;
}

export async function request(
  url: string,
  { method, headers = {}, body }: RequestOptions = {},
): Promise<ReadResponse> {
  const init: RequestInit = {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...headers },
  };
  if (body !== undefined) {
    if (typeof body === 'string') init.body = body;
    else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

let counter = 0;
/** A username no other test uses. */
export function uniqueUsername(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export const GOOD_PASSWORD = 'correct horse battery staple';

/** Registers and logs in a fresh user; returns the username and token response. */
export async function registerAndLogin(
  authUrl: string,
  username = uniqueUsername(),
  password = GOOD_PASSWORD,
) {
  const registered = await request(`${authUrl}/register`, { body: { username, password } });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await request(`${authUrl}/login`, { body: { username, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    username,
    id: registered.body.id as string,
    token: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
    login: login.body,
  };
}

/** POSTs `application/x-www-form-urlencoded`, as OAuth clients do (RFC 6749 §4.1.3). */
export function postForm(
  url: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<ReadResponse> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  });
}

/** `POST /token` with the refresh grant, form-encoded. */
export function refresh(authUrl: string, refreshToken: string): Promise<ReadResponse> {
  return postForm(`${authUrl}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The claims of a compact JWS, unverified (for assertions only). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
}

/**
 * The tests' one way to wait: probes until `condition` holds on what
 * `probe` returned, and returns that value; fails after `timeoutMs` naming
 * `what` and the last value seen. Never a fixed sleep.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  condition: (value: T) => boolean = Boolean,
  {
    timeoutMs = 10_000,
    intervalMs = 25,
    what = 'the condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (condition(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not hold within ${timeoutMs} ms; last seen: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 300);
  } catch {
    return String(value);
  }
}

/**
 * A request over node:http with full control of the bytes and headers sent
 * (no automatic Content-Length when `chunks` are streamed), for bodies fetch
 * would not send as is. Resolves as soon as the response is read, even if
 * the server closes the connection before the body was fully sent.
 */
export function rawRequest(
  url: string,
  {
    method = 'POST',
    headers = {},
    body,
    chunks,
  }: {
    method?: string;
    headers?: Record<string, string>;
    /** Sent whole, with its Content-Length unless `headers` sets one. */
    body?: Buffer | string;
    /** Sent one by one with Transfer-Encoding: chunked, until the response arrives. */
    chunks?: Iterable<Buffer | string>;
  } = {},
): Promise<ReadResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, { method, headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON; keep the text
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) responseHeaders.set(name, String(value));
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed, text });
        req.destroy();
      });
    });
    // Writing after the server answered and closed is expected here, not a failure.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (chunks !== undefined) {
      const write = async () => {
        for (const chunk of chunks) {
          if (answered || req.destroyed) return;
          if (!req.write(chunk)) await new Promise((done) => req.once('drain', done));
        }
        if (!answered) req.end();
      };
      write().catch(() => {});
    } else req.end(body);
  });
}
