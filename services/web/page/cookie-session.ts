/**
 * How the page uses @authpair/client with this app's backend-for-frontend.
 *
 * The refresh token is in an HttpOnly cookie the backend holds; the page
 * keeps access tokens only, in memory. Every tab of the browser sends the
 * same cookie, so every tab holds the same session (one token family):
 * the shape the client calls `copied` storage. Declaring it makes each
 * rotation travel to the other tabs (access token only: there is no
 * refresh token in the page to send), so a tab that waited on the refresh
 * lock finds the rotation done and does not refresh again. With the
 * default `tab` scope each tab would refresh on its own timer: safe here
 * (the backend single-flights them), but a call to auth per tab.
 */
import { AuthpairClient, memoryStorage, type StorageAdapter } from '@authpair/client';

/** Memory, shared with the other tabs of this session through the client's channel. */
export function cookieSessionStorage(): StorageAdapter {
  return { ...memoryStorage(), scope: 'copied' };
}

/** The client of this page: auth's endpoints through this origin's `/auth/`, the cookie riding along. */
export function createClient(origin: string): AuthpairClient {
  return new AuthpairClient({
    authUrl: `${origin}/auth`,
    credentials: 'same-origin',
    storage: cookieSessionStorage(),
  });
}
