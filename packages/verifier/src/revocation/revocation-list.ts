import {
  REVOCATION_FEED_MAX_PAGE_SIZE,
  type RevocationFeedPage,
  revocationFeedPageSchema,
} from '@authpair/contracts';
import { InvalidTokenError, RevocationUnavailableError } from '../errors';
import type { VerifierLogger } from '../logger';
import { readCapped } from '../read-capped';
import type { RevocationSettings } from './revocation-settings';

/** Why a token was refused by the revocation step. */
export type RefusalReason = 'no_session' | 'session_ended' | 'list_outdated';

/** What the list reports to metrics. */
export interface RevocationEvents {
  readFailed(): void;
  refused(reason: RefusalReason): void;
}

export type RevocationListOptions = RevocationSettings & {
  /** How long a revoked sid is kept: past it, the verifier refuses every token of that session anyway. */
  retentionMs: number;
};

/** What `/readyz` reports. */
export interface RevocationSnapshot {
  status: 'current' | 'lagging' | 'never_read';
  lagMs: number | null;
  revokedSessions: number;
  readAt: string | undefined;
  lastError: string | undefined;
}

/**
 * Bytes of one feed page read at most: a full page of 5000 entries is
 * about 600 KB, 1.3 MB at the longest fields the page schema allows.
 */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
/** Pages read back to back in one poll before yielding to the event loop (then read on at once). */
const MAX_PAGES_PER_POLL = 20;

const NO_EVENTS: RevocationEvents = { readFailed() {}, refused() {} };

/**
 * The sessions the auth service has ended, held in memory and kept current
 * by polling its revocation feed every `pollIntervalMs`, so the request path
 * pays a Map lookup, never a call to the auth service.
 *
 * Freshness is the time the last complete read was *sent*: every revocation
 * committed before then is known. When that is older than `maxLagMs` the
 * list fails closed (503 `revocation_unavailable`, ASVS 16.5) unless
 * configured to fail open; either way `/readyz` and the lag metric say so.
 * Revocation therefore reaches this service within one poll interval and a
 * fetch, and never later than `maxLagMs`.
 */
export class RevocationList {
  readonly #options: RevocationListOptions;
  readonly #logger: VerifierLogger;
  readonly #fetch: typeof fetch;
  readonly #events: RevocationEvents;
  /** sid -> when it may be forgotten (epoch ms). */
  #revoked = new Map<string, number>();
  #cursor: string | undefined;
  #readAt: number | undefined;
  #lastError: string | undefined;
  #inflight: Promise<boolean> | undefined;
  /** The last poll stopped with pages still to read: the next one starts at once. */
  #backlog = false;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    options: RevocationListOptions,
    logger: VerifierLogger,
    fetchImpl: typeof fetch = fetch,
    events: RevocationEvents = NO_EVENTS,
  ) {
    this.#options = options;
    this.#logger = logger;
    this.#fetch = fetchImpl;
    this.#events = events;
  }

  /** Reads the feed once (a failure is logged, not thrown), then keeps polling. */
  async start(): Promise<void> {
    this.#running = true;
    await this.poll();
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** Reads every new revocation now, unless a read is running; resolves whether it succeeded. */
  poll(): Promise<boolean> {
    this.#inflight ??= this.#read().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * The revocation step of authentication, after the token was verified:
   * throws InvalidTokenError (401) for a token of an ended session, or one
   * bound to no session at all (it could never be revoked), and
   * RevocationUnavailableError (503) when the list is too old to say.
   */
  check(sid: string | undefined): void {
    if (sid === undefined) {
      this.#events.refused('no_session');
      throw new InvalidTokenError('the token is not bound to a session');
    }
    if (this.#revoked.has(sid)) {
      this.#events.refused('session_ended');
      throw new InvalidTokenError('the session of this token has ended');
    }
    if (this.#options.failClosed && this.lagMs() > this.#options.maxLagMs) {
      this.#events.refused('list_outdated');
      throw new RevocationUnavailableError(
        Math.max(1, Math.ceil(this.#options.pollIntervalMs / 1000)),
      );
    }
  }

  /** Milliseconds since the last complete read was sent; Infinity before the first. */
  lagMs(now = Date.now()): number {
    return this.#readAt === undefined ? Number.POSITIVE_INFINITY : now - this.#readAt;
  }

  get size(): number {
    return this.#revoked.size;
  }

  snapshot(): RevocationSnapshot {
    const lag = this.lagMs();
    return {
      status:
        this.#readAt === undefined
          ? 'never_read'
          : lag > this.#options.maxLagMs
            ? 'lagging'
            : 'current',
      lagMs: Number.isFinite(lag) ? lag : null,
      revokedSessions: this.#revoked.size,
      readAt: this.#readAt === undefined ? undefined : new Date(this.#readAt).toISOString(),
      lastError: this.#lastError,
    };
  }

  #schedule(): void {
    if (!this.#running) return;
    // A burst (a logout everywhere over many sessions) is read back to back, not a page
    // group per interval: it must all arrive within maxLagMs.
    this.#timer = setTimeout(
      () => {
        void this.poll().finally(() => this.#schedule());
      },
      this.#backlog ? 0 : this.#options.pollIntervalMs,
    );
    this.#timer.unref();
  }

  async #read(): Promise<boolean> {
    const sentAt = Date.now();
    this.#backlog = false;
    try {
      for (let pages = 0; pages < MAX_PAGES_PER_POLL; pages += 1) {
        const page = await this.#fetchPage();
        this.#remember(page);
        this.#cursor = page.cursor;
        if (!page.has_more) {
          if (this.#lastError !== undefined)
            this.#logger.info({ url: this.#options.url }, 'revocation feed read again');
          this.#readAt = sentAt;
          this.#lastError = undefined;
          this.#prune(Date.now());
          return true;
        }
      }
      this.#backlog = true; // the next poll carries on from the cursor, at once
      return false;
    } catch (error) {
      this.#events.readFailed();
      // Logged once per outage, not once per poll.
      if (this.#lastError === undefined)
        this.#logger.warn({ err: error, url: this.#options.url }, 'revocation feed read failed');
      this.#lastError = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  async #fetchPage(): Promise<RevocationFeedPage> {
    const url = new URL(this.#options.url);
    if (this.#cursor !== undefined) url.searchParams.set('since', this.#cursor);
    // The largest pages the feed serves: a burst arrives in as few round trips as it can.
    url.searchParams.set('limit', String(REVOCATION_FEED_MAX_PAGE_SIZE));
    const response = await this.#fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${this.#options.token}` },
      redirect: 'error',
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      // 400 to a cursor: not one this feed handed out (another auth version or database
      // behind the URL). Sent again, it would be refused for ever: read from the start.
      if (response.status === 400 && this.#cursor !== undefined) this.#cursor = undefined;
      throw new Error(`revocation feed answered ${response.status}`);
    }
    const text = await readCapped(
      response,
      MAX_PAGE_BYTES,
      () => new Error('revocation feed page is too large'),
    );
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error('revocation feed page is not JSON');
    }
    const page = revocationFeedPageSchema.safeParse(document);
    if (!page.success) throw new Error('revocation feed page has the wrong shape');
    return page.data;
  }

  #remember(page: RevocationFeedPage): void {
    const now = Date.now();
    for (const { sid, revoked_at } of page.revocations) {
      const until = Date.parse(revoked_at) + this.#options.retentionMs;
      if (until > now) this.#revoked.set(sid, Math.max(until, this.#revoked.get(sid) ?? 0));
    }
  }

  #prune(now: number): void {
    for (const [sid, until] of this.#revoked) if (until <= now) this.#revoked.delete(sid);
  }
}
