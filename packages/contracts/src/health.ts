/** Bodies of `GET /healthz` and `GET /readyz` on both services. */

/** One dependency's state. */
export interface DependencyCheck {
  /** `up` when it answers as needed; `degraded` when usable but impaired; `down` otherwise. */
  status: 'up' | 'degraded' | 'down';
  /** A short human explanation, never secret. */
  detail?: string;
  /** Dependency-specific facts a dashboard can show. */
  [extra: string]: unknown;
}

/** `GET /readyz` body: 200 when every check is up or degraded, 503 when any is down. */
export interface ReadinessReport {
  status: 'ready' | 'unready';
  checks: Record<string, DependencyCheck>;
}

/** `GET /healthz` body: the process is alive. */
export interface LivenessReport {
  status: 'ok';
}
