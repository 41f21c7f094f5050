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
 * A stream given as `init.body` is consumed by the first send; any other
 * body can be sent again (a Request's own body is kept by the clone taken
 * before the first send).
 */
function isReplayable(init: RequestInit): boolean {
  return !(typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream);
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
