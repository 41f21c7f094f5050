/** Bodies of `GET /healthz` and `GET /readyz` on both services. */
import { z } from 'zod';

/** One dependency's state, with dependency-specific facts a dashboard can show. */
export const dependencyCheckSchema = z.looseObject({
  /** `up` when it answers as needed; `degraded` when usable but impaired; `down` otherwise. */
  status: z.enum(['up', 'degraded', 'down']),
  /** A short human explanation, never secret. */
  detail: z.string().optional(),
});

export type DependencyCheck = z.infer<typeof dependencyCheckSchema>;

/** `GET /readyz` body: 200 when every check is up or degraded, 503 when any is down. */
export const readinessReportSchema = z.object({
  status: z.enum(['ready', 'unready']),
  checks: z.record(z.string(), dependencyCheckSchema),
});
export type ReadinessReport = z.infer<typeof readinessReportSchema>;

/** `GET /healthz` body: the process is alive. */
export const livenessReportSchema = z.object({ status: z.literal('ok') });
export type LivenessReport = z.infer<typeof livenessReportSchema>;
