/** How the revocation feed is read. Defaults: `REVOCATION_DEFAULTS`. */
export interface RevocationSettings {
  /** The auth service's revocation feed (`REVOCATION_FEED_URL`). */
  readonly url: string;
  /** The shared bearer secret the feed requires (`REVOCATION_FEED_TOKEN`). */
  readonly token: string;
  /** How often the feed is read, ms (`REVOCATION_POLL_INTERVAL_MS`). */
  readonly pollIntervalMs: number;
  /** How long the feed may go unread before tokens are refused (or, failing open, before health says so), ms (`REVOCATION_MAX_LAG_MS`). */
  readonly maxLagMs: number;
  /** Timeout of one feed read, ms (`REVOCATION_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** Refuse tokens (503) once the feed is older than `maxLagMs` (ASVS 16.5), rather than accept them (`REVOCATION_FAIL_MODE`). */
  readonly failClosed: boolean;
}

/** The resource service's documented defaults. */
export const REVOCATION_DEFAULTS = {
  pollIntervalMs: 1000,
  maxLagMs: 10_000,
  timeoutMs: 2000,
  failClosed: true,
} as const satisfies Omit<RevocationSettings, 'url' | 'token'>;
