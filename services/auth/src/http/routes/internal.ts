import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AuthpairError,
  REVOCATION_FEED_PATH,
  type RevocationFeedPage,
  revocationFeedQuerySchema,
} from '@authpair/contracts';
import { readBearerToken } from '@authpair/service-kit';
import Router from '@koa/router';
import type { RevocationFeed } from '../../sessions/revocation-feed';
import { parseWith } from '../validate';

export interface InternalRouteDeps {
  feed: RevocationFeed;
  /** The shared secret resource services present (`REVOCATION_FEED_TOKEN`). */
  feedToken: string;
}

const REALM = 'authpair-internal';

/** Compares secrets in constant time, whatever their lengths (both are hashed first). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * `GET /internal/revocations?since=<cursor>`: the ended sessions resource
 * services poll (see revocation-feed.ts). Not for the public: only a caller
 * with the shared bearer secret reads it.
 */
export function internalRoutes({ feed, feedToken }: InternalRouteDeps): Router {
  const router = new Router();

  router.get(REVOCATION_FEED_PATH, async function revocationFeed(ctx) {
    if (!sameSecret(readBearerToken(ctx, REALM), feedToken))
      throw new AuthpairError('invalid_token', 'the feed token is not valid');
    const { since, limit } = parseWith(revocationFeedQuerySchema, ctx.query);
    const page: RevocationFeedPage = await feed.page(since, limit);
    ctx.body = page;
  });

  return router;
}
