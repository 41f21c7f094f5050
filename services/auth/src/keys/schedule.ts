/**
 * How long each step of a signing key's lifecycle must wait, computed from
 * numbers the service knows (what it advertises, what it is told verifiers
 * do, how often its replicas reread the keys). Pure, so the formulas are
 * unit-tested and shown to operators exactly as applied.
 */

/** The inputs, each from one configuration variable (see README). */
export interface KeyScheduleSettings {
  /** `Cache-Control: max-age` this service sends on the JWKS, seconds (`JWKS_MAX_AGE`). */
  jwksMaxAge: number;
  /** The longest a verifier keeps a JWKS whatever max-age says, seconds (`VERIFIER_JWKS_MAX_TTL`). */
  verifierJwksMaxTtl: number;
  /** A verifier's least time between two JWKS fetches, seconds (`VERIFIER_JWKS_COOLDOWN`). */
  verifierCooldown: number;
  /** Clock skew allowed between this service, its database and verifiers, seconds. */
  clockTolerance: number;
  /** How often each replica rereads the keys, ms (`SIGNING_KEY_REFRESH_MS`). */
  refreshIntervalMs: number;
  /** Access-token lifetime, seconds (`ACCESS_TOKEN_TTL`). */
  accessTokenTtl: number;
}

/** One term of a wait: what it covers and how long it is. */
export interface ScheduleTerm {
  reason: string;
  ms: number;
}

export interface KeySchedule {
  /** From a key's creation (published, not signing) until it may sign. */
  pendingMs: number;
  /** From a key's last signature until it may leave the JWKS. */
  retiringMs: number;
  pendingTerms: ScheduleTerm[];
  retiringTerms: ScheduleTerm[];
}

const sum = (terms: ScheduleTerm[]) => terms.reduce((total, term) => total + term.ms, 0);

/**
 * - pending -> active: every replica serves the new key in its JWKS (one
 *   refresh interval), then every verifier's cached copy without it expires
 *   (the longer of our max-age and what verifiers may impose), one failed
 *   refetch is retried (a cooldown), and clocks disagree (tolerance). Only
 *   then can a token signed with it reach a verifier that lacks it.
 * - retiring -> retired: another replica may sign with the old key until it
 *   rereads (one refresh interval); a token signed then lives its full TTL,
 *   and verifiers accept it up to the clock tolerance past `exp`.
 */
export function computeKeySchedule(settings: KeyScheduleSettings): KeySchedule {
  const replicaLag: ScheduleTerm = {
    reason: 'every replica rereads the keys (SIGNING_KEY_REFRESH_MS)',
    ms: settings.refreshIntervalMs,
  };
  const tolerance: ScheduleTerm = {
    reason: 'clock tolerance (VERIFIER_CLOCK_TOLERANCE)',
    ms: settings.clockTolerance * 1000,
  };
  const cacheTtl =
    settings.verifierJwksMaxTtl > settings.jwksMaxAge
      ? {
          reason: 'verifiers may cache the JWKS (VERIFIER_JWKS_MAX_TTL)',
          ms: settings.verifierJwksMaxTtl * 1000,
        }
      : { reason: 'JWKS Cache-Control max-age (JWKS_MAX_AGE)', ms: settings.jwksMaxAge * 1000 };
  const pendingTerms = [
    replicaLag,
    cacheTtl,
    {
      reason: 'one failed verifier refetch is retried (VERIFIER_JWKS_COOLDOWN)',
      ms: settings.verifierCooldown * 1000,
    },
    tolerance,
  ];
  const retiringTerms = [
    replicaLag,
    { reason: 'access-token lifetime (ACCESS_TOKEN_TTL)', ms: settings.accessTokenTtl * 1000 },
    tolerance,
  ];
  return {
    pendingMs: sum(pendingTerms),
    retiringMs: sum(retiringTerms),
    pendingTerms,
    retiringTerms,
  };
}

/** `1h 02m 03s`, `11m 40s`, `4s`, `250ms`: a wait as an operator reads it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let seconds = Math.ceil(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0 || parts.length > 0)
    parts.push(`${String(hours).padStart(parts.length ? 2 : 1, '0')}h`);
  if (minutes > 0 || parts.length > 0)
    parts.push(`${String(minutes).padStart(parts.length ? 2 : 1, '0')}m`);
  parts.push(`${String(seconds).padStart(parts.length ? 2 : 1, '0')}s`);
  return parts.join(' ');
}

/** The terms of a wait in one line: `10s (replicas) + 600s (verifier cache) + …`. */
export function explainTerms(terms: ScheduleTerm[]): string {
  return terms.map((term) => `${formatDuration(term.ms)} ${term.reason}`).join(' + ');
}
