/**
 * The auth service's endpoints, one plain call each. These calls go
 * straight to `fetch`: the resource-server wrapper (with its 401 replay)
 * never sees them, so a refused refresh can never trigger a refresh.
 */
import type {
  ChangePasswordRequest,
  ChangePasswordResponse,
  LoginRequest,
  RegisterRequest,
  RegisterResponse,
  SessionListResponse,
  TokenResponse,
} from '@authpair/contracts';
import { timer } from './environment';
import { AuthpairClientError, type ProblemBody } from './errors';
import { asTokenResponse } from './session';

export interface AuthApiOptions {
  authUrl: string;
  clientId: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  /** The refresh's own, shorter timeout: see `refreshTimeoutMs` in types.ts. */
  refreshTimeoutMs: number;
  credentials: 'omit' | 'same-origin' | 'include' | undefined;
}

interface Call {
  method?: string;
  json?: object;
  form?: Record<string, string | undefined>;
  bearer?: string;
  signal?: AbortSignal;
  /** This call's timeout, when not the default. */
  timeoutMs?: number;
}

export class AuthApi {
  readonly #options: AuthApiOptions;

  constructor(options: AuthApiOptions) {
    this.#options = { ...options, authUrl: options.authUrl.replace(/\/+$/, '') };
  }

  register(body: RegisterRequest): Promise<RegisterResponse> {
    return this.#json<RegisterResponse>('/register', { json: body });
  }

  async login(body: LoginRequest): Promise<TokenResponse> {
    return tokensOf(await this.#json('/login', { json: body }));
  }

  /** RFC 6749 §6. Without a refresh token, a cookie is expected to carry it. */
  async refresh(refreshToken: string | undefined, signal?: AbortSignal): Promise<TokenResponse> {
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken };
    const timeoutMs = this.#options.refreshTimeoutMs;
    return tokensOf(await this.#json('/token', { form, timeoutMs, ...(signal ? { signal } : {}) }));
  }

  /** RFC 7009: 200 whether or not the token was known. */
  async revoke(token: string, hint?: 'refresh_token' | 'access_token'): Promise<void> {
    await this.#send('/revoke', { form: { token, token_type_hint: hint } });
  }

  async logout(bearer: string, all: boolean): Promise<void> {
    await this.#send(all ? '/logout?scope=all' : '/logout', { method: 'POST', bearer });
  }

  async sessions(bearer: string): Promise<SessionListResponse> {
    return this.#json<SessionListResponse>('/sessions', { method: 'GET', bearer });
  }

  async endSession(bearer: string, id: string): Promise<void> {
    await this.#send(`/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', bearer });
  }

  changePassword(bearer: string, body: ChangePasswordRequest): Promise<ChangePasswordResponse> {
    return this.#json<ChangePasswordResponse>('/password', { json: body, bearer });
  }

  async #json<T>(path: string, call: Call): Promise<T> {
    const response = await this.#send(path, call);
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw new AuthpairClientError('bad_response', `${path} did not answer JSON`, {
        status: response.status,
        cause: error,
      });
    }
  }

  /** The response when 2xx; otherwise an AuthpairClientError built from the problem body. */
  async #send(
    path: string,
    { method = 'POST', json, form, bearer, signal, timeoutMs = this.#options.timeoutMs }: Call,
  ): Promise<Response> {
    const { authUrl, clientId, fetch, credentials } = this.#options;
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries({ ...form, client_id: clientId }))
        if (value !== undefined) params.set(name, value);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = params.toString();
    }
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    const controller = new AbortController();
    const abort = () => controller.abort();
    const timeout = timer(abort, timeoutMs);
    signal?.addEventListener('abort', abort);
    let response: Response;
    try {
      response = await fetch(`${authUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(credentials === undefined ? {} : { credentials }),
        signal: controller.signal,
      });
    } catch (error) {
      throw new AuthpairClientError('network', `${path}: the auth service did not answer`, {
        retryable: true,
        cause: error,
      });
    } finally {
      clearTimeout(timeout);
      signal?.removeEventListener('abort', abort);
    }
    if (response.ok) return response;
    throw await errorOf(path, response);
  }
}

function tokensOf(body: unknown): TokenResponse {
  const tokens = asTokenResponse(body);
  if (tokens === undefined)
    throw new AuthpairClientError(
      'bad_response',
      'the token response lacks what RFC 6749 requires',
    );
  return tokens;
}

async function errorOf(path: string, response: Response): Promise<AuthpairClientError> {
  let problem: ProblemBody | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) problem = body as ProblemBody;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const { status } = response;
  const code =
    stringOr(problem?.code) ??
    stringOr(problem?.error) ??
    (status >= 500 ? 'service_unavailable' : 'bad_response');
  const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
  return new AuthpairClientError(
    code,
    `${path}: ${stringOr(problem?.detail) ?? stringOr(problem?.title) ?? status}`,
    {
      status,
      retryable: status >= 500 || status === 429 || status === 408,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(problem === undefined ? {} : { problem }),
    },
  );
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP date. */
function retryAfterOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
