import type { DependencyCheck, LivenessReport, ReadinessReport } from '@authpair/contracts';
import Router from '@koa/router';
import type { Draining } from './draining';

/** A readiness probe for one dependency; it must settle within its own timeout. */
export type ReadinessCheck = () => Promise<DependencyCheck>;

async function settle(check: ReadinessCheck, timeoutMs: number): Promise<DependencyCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyCheck>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      check().catch((): DependencyCheck => ({ status: 'down', detail: 'check failed' })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check concurrently; unready when any is down. */
export async function readiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map((name) => settle(checks[name] as ReadinessCheck, timeoutMs)),
  );
  const report: ReadinessReport = { status: 'ready', checks: {} };
  names.forEach((name, index) => {
    const result = results[index] as DependencyCheck;
    report.checks[name] = result;
    if (result.status === 'down') report.status = 'unready';
  });
  return report;
}

export interface HealthOptions {
  /** Each check's own bound, ms. */
  timeoutMs?: number;
  /** While it drains, the instance is unready whatever its dependencies say (check `shutdown`). */
  draining?: Draining;
}

/** `GET /healthz` (the process answers) and `GET /readyz` (its dependencies do, and it is not stopping). */
export function healthRoutes(
  checks: Record<string, ReadinessCheck>,
  { timeoutMs = 2000, draining }: HealthOptions = {},
): Router {
  const router = new Router();
  router.get('/healthz', function liveness(ctx) {
    const body: LivenessReport = { status: 'ok' };
    ctx.body = body;
  });
  router.get('/readyz', async function readinessProbe(ctx) {
    const report = await readiness(checks, timeoutMs);
    const stopping = draining?.reason;
    if (stopping !== undefined) {
      report.checks.shutdown = { status: 'down', detail: stopping };
      report.status = 'unready';
    }
    ctx.status = report.status === 'ready' ? 200 : 503;
    ctx.body = report;
  });
  return router;
}
