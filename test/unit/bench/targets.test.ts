import type { ProtectedRow, Report } from '../../bench/report';
import { computeTargets, judge } from '../../bench/targets';

function row(
  load: 'same' | 'distinct',
  server: string,
  rps: number,
  available = true,
): ProtectedRow {
  return {
    load,
    server,
    name: server,
    available,
    ...(available ? {} : { note: 'not available yet: @authpair/verifier is not merged' }),
    rps,
    p50: 1,
    p99: 2,
    failures: 0,
    peakRssMb: 100,
    cpuUsPerRequest: 1e6 / rps,
    serverCpuShare: 1,
    generatorCpuShare: 0.3,
    rounds: [rps],
  };
}

const rows = (resourceRps: number): ProtectedRow[] => [
  row('same', 'koa', 20_000),
  row('same', 'fastify-jwt', 10_000),
  row('same', 'fastify-jwt-logger', 8000),
  row('same', 'koa-verifier', 0, false),
  row('same', 'resource', resourceRps),
];

const previousRun = (resourceRps: number): Report =>
  ({
    date: '2026-12-01T00:00:00.000Z',
    targets: judge(computeTargets({ protected: rows(resourceRps), auth: [] }, []), undefined),
  }) as Report;

const status = (targets: ReturnType<typeof judge>, id: string) =>
  targets.find((target) => target.id === id)?.status;

describe('bench targets', () => {
  it('are met only when they hold in this run and in the previous full run', () => {
    const targets = judge(
      computeTargets({ protected: rows(12_500), auth: [] }, []),
      previousRun(12_000),
    );
    expect(status(targets, 'resource-vs-fastify-jwt-logger')).toBe('met');
  });

  it('count a target that holds for the first time as held once, not met', () => {
    const targets = judge(
      computeTargets({ protected: rows(12_500), auth: [] }, []),
      previousRun(9000),
    );
    expect(status(targets, 'resource-vs-fastify-jwt-logger')).toBe('held once');
  });

  it('report a target that fails now as not met, whatever the previous run', () => {
    const targets = judge(
      computeTargets({ protected: rows(9000), auth: [] }, []),
      previousRun(12_500),
    );
    expect(status(targets, 'resource-vs-fastify-jwt-logger')).toBe('not met');
  });

  it('report the verifier rows as not available yet while the package is not merged', () => {
    const targets = judge(computeTargets({ protected: rows(12_500), auth: [] }, []), undefined);
    expect(status(targets, 'koa-verifier-vs-koa')).toBe('not available yet');
  });

  it('judge the Express target against the lower of its two bars', () => {
    const targets = judge(
      computeTargets(
        {
          protected: [
            row('same', 'express', 10_000),
            row('same', 'express-jwt', 2500),
            row('same', 'express-verifier', 8100),
          ],
          auth: [],
        },
        [],
      ),
      undefined,
    );
    // 4x express-jwt is 10,000, 0.8x bare Express is 8,000: the lower bar, and 8,100 clears it.
    expect(status(targets, 'express-verifier')).toBe('held once');
  });
});
