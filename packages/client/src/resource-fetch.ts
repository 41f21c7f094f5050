/**
 * `fetch` for resource servers, with the current access token. A 401 gets
 * one cure and one replay: the newer token if another call already
 * refreshed, otherwise one forced refresh shared with every other call
 * that got a 401 for the same token. A second 401 is an error, never a
 * loop; a body that cannot be sent twice is never replayed.
 */
import { AuthpairClientError } from './errors';
import type { Refresher } from './refresher';

export function resourceFetch(
  refresher: Refresher,
  fetchImpl: typeof fetch,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async function authorizedFetch(input, init = {}) {
    const template = input instanceof Request ? input.clone() : undefined;
    const replayable = isReplayable(init);
    const send = (token: string) => {
      if (template !== undefined) {
        const request = new Request(template.clone(), init);
        request.headers.set('authorization', `Bearer ${token}`);
        return fetchImpl(request);
      }
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetchImpl(input, { ...init, headers });
    };

    const token = await refresher.accessToken();
    const first = await send(token);
    if (first.status !== 401) return first;
    // Whatever happens next, the next call finds a newer token (or the sign-out).
    const newer = refresher.replacing(token);
    if (!replayable) {
      newer.catch(() => {});
      throw unauthorized(first, 'the body cannot be sent twice, so the request was not replayed');
    }
    const session = await newer;
    await first.body?.cancel();
    const second = await send(session.accessToken);
    if (second.status !== 401) return second;
    throw unauthorized(second, 'refused again with a newer access token');
  };
}

/**
 * Whether `init.body` can be sent again: none, text, bytes, a Blob, a
 * form, search params. Anything else is read once by the first send: a
 * ReadableStream, and what Node's fetch also takes, an async iterable (a
 * node:stream Readable, a generator), which a replay would send empty.
 * A Request's own body is kept by the clone taken before the first send.
 */
function isReplayable({ body }: RequestInit): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams)
  );
}

function unauthorized(response: Response, why: string): AuthpairClientError {
  return new AuthpairClientError(
    'unauthorized',
    `401 from ${response.url || 'the resource'}: ${why}`,
    {
      status: 401,
      response,
    },
  );
}
