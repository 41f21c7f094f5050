import {
  ConfigError,
  type ConfigIssue,
  envVar,
  LOG_LEVELS,
  type MetricsListener,
  metricsListenerOf,
  parseEnv,
} from '@authpair/service-kit';

const DAY = 86_400;

/** Every setting of the web app, each from one environment variable (see README). */
const shape = {
  PORT: envVar.int(4002, 0, 65535),
  HOST: envVar.string('0.0.0.0'),
  LOG_LEVEL: envVar.oneOf(LOG_LEVELS, 'info'),
  METRICS_PORT: envVar.optionalInt(0, 65535),
  METRICS_HOST: envVar.string().optional(),
  AUTH_URL: envVar.url('http://localhost:4000'),
  RESOURCE_URL: envVar.url('http://localhost:4001'),
  WEB_ORIGIN: envVar.string().optional(),
  AUTH_TIMEOUT_MS: envVar.int(5000, 100, 60_000),
  REFRESH_COOKIE_MAX_AGE: envVar.int(14 * DAY, 60, 400 * DAY),
  REFRESH_SHARE_WINDOW_MS: envVar.int(10_000, 0, 60_000),
};

/** The web app's validated, immutable configuration. */
export interface WebConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Where `/metrics` is served instead of the public port; undefined: on the public port. */
  readonly metricsListener: MetricsListener | undefined;
  /** This app's origin as browsers reach it: the only `Origin` its `/auth/` endpoints accept. */
  readonly origin: string;
  readonly auth: {
    /** The auth service, as this backend reaches it (server to server). */
    readonly url: string;
    /** Longest wait for an answer from it, ms. */
    readonly timeoutMs: number;
  };
  /** The resource service as the browser reaches it: the page calls `/protected` there. */
  readonly resourceUrl: string;
  readonly refreshCookie: {
    /** Seconds the cookie lives past its last rotation (match the auth service's `REFRESH_TOKEN_TTL`). */
    readonly maxAge: number;
  };
  /**
   * How long a refresh's result is handed to a request that still carries
   * the refresh token it replaced (a tab whose request crossed the
   * rotation, a reload that lost the answer), ms; 0: only to requests that
   * arrive while it is in flight.
   */
  readonly refreshShareWindowMs: number;
}

/** Hosts a browser treats as a secure context over plain http, so a `Secure` cookie works there. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `WEB_ORIGIN`: scheme, host and port only, and https unless the host is
 * loopback. The refresh cookie is `__Host-`, so `Secure`: a browser drops
 * it on any other http origin, and every sign-in would silently fail.
 */
function checkOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an origin such as https://app.example.com';
  }
  if (url.origin !== value) return 'must be an origin: scheme://host[:port], no path';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must be https (plain http only on localhost): the refresh cookie is Secure';
}

export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  // Every bad variable at once: the schema's, and WEB_ORIGIN's own rule.
  const issues: ConfigIssue[] = [];
  let parsed: ReturnType<typeof parseEnv<typeof shape>> | undefined;
  try {
    parsed = parseEnv(shape, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  const problem = env.WEB_ORIGIN ? checkOrigin(env.WEB_ORIGIN) : undefined;
  if (problem !== undefined) issues.push({ variable: 'WEB_ORIGIN', reason: problem });
  if (parsed === undefined || issues.length > 0) throw new ConfigError(issues);
  const vars = parsed;
  const origin = vars.WEB_ORIGIN ?? `http://localhost:${vars.PORT}`;
  return Object.freeze({
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    metricsListener: metricsListenerOf(vars),
    origin,
    auth: Object.freeze({ url: vars.AUTH_URL, timeoutMs: vars.AUTH_TIMEOUT_MS }),
    resourceUrl: vars.RESOURCE_URL,
    refreshCookie: Object.freeze({ maxAge: vars.REFRESH_COOKIE_MAX_AGE }),
    refreshShareWindowMs: vars.REFRESH_SHARE_WINDOW_MS,
  });
}
