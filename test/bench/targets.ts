import type { AuthRow, LoadId, ProtectedRow, Report, Target, TargetStatus } from './report';

/**
 * The targets of the issue, as ratios of one run of the server-bound
 * harness, and whether each holds. A target is met when it holds in two
 * consecutive full runs, so each carries the previous full run's value.
 */

type Draft = Omit<Target, 'status' | 'previous'>;

const ratio = (value: number) => `${value.toFixed(2)}x`;

function find(rows: ProtectedRow[], load: LoadId, server: string): ProtectedRow | undefined {
  return rows.find((row) => row.load === load && row.server === server);
}

/** Why a ratio cannot be computed, or undefined when both rows were measured. */
function missing(...rows: Array<ProtectedRow | undefined>): string | undefined {
  for (const row of rows) {
    if (row === undefined) return 'not measured';
    if (!row.available) return row.note ?? 'not measured';
  }
  return undefined;
}

/** `subject` >= `factor` x `reference` in requests/s; the CPU-time ratio beside it. */
function ratioTarget(
  id: string,
  text: string,
  subject: ProtectedRow | undefined,
  reference: ProtectedRow | undefined,
  factor: number,
): Draft {
  const why = missing(subject, reference);
  if (why !== undefined || subject === undefined || reference === undefined)
    return { id, text, value: null, shown: why ?? 'not measured', holds: null };
  const value = subject.rps / reference.rps;
  const cpu = reference.cpuUsPerRequest / subject.cpuUsPerRequest;
  return {
    id,
    text,
    value,
    shown: ratio(value),
    holds: value >= factor,
    detail: `${ratio(cpu)} by server CPU per request`,
  };
}

function protectedTargets(rows: ProtectedRow[]): Draft[] {
  const same = (server: string) => find(rows, 'same', server);
  const drafts: Draft[] = [
    ratioTarget(
      'fastify-verifier-vs-fastify-jwt',
      'Fastify + @authpair/verifier >= 1.5x Fastify + @fastify/jwt, same token, neither logging',
      same('fastify-verifier'),
      same('fastify-jwt'),
      1.5,
    ),
    ratioTarget(
      'koa-verifier-vs-koa',
      'Koa + @authpair/verifier >= 0.8x bare Koa + router, same token',
      same('koa-verifier'),
      same('koa'),
      0.8,
    ),
  ];

  // Express: 4x express-jwt, or 0.8x bare Express if that bar is lower.
  const express = same('express-verifier');
  const expressJwt = same('express-jwt');
  const bareExpress = same('express');
  const expressText =
    'Express + @authpair/verifier >= 4x Express + express-jwt + jwks-rsa, or >= 0.8x bare Express if that is lower';
  const why = missing(express, expressJwt, bareExpress);
  if (why !== undefined || !express || !expressJwt || !bareExpress) {
    drafts.push({
      id: 'express-verifier',
      text: expressText,
      value: null,
      shown: why ?? 'not measured',
      holds: null,
    });
  } else {
    const bar = Math.min(4 * expressJwt.rps, 0.8 * bareExpress.rps);
    drafts.push({
      id: 'express-verifier',
      text: expressText,
      value: express.rps / bar,
      shown: `${ratio(express.rps / expressJwt.rps)} express-jwt, ${ratio(express.rps / bareExpress.rps)} bare Express`,
      holds: express.rps >= bar,
      detail: `the bar is ${4 * expressJwt.rps <= 0.8 * bareExpress.rps ? '4x express-jwt' : '0.8x bare Express'}`,
    });
  }

  drafts.push(
    ratioTarget(
      'koa-verifier-distinct-vs-koa-jose',
      'Distinct tokens, every lookup a miss: Koa + @authpair/verifier >= 0.97x Koa + jose (within 3%, or faster)',
      find(rows, 'distinct', 'koa-verifier'),
      find(rows, 'distinct', 'koa-jose'),
      0.97,
    ),
    ratioTarget(
      'resource-vs-fastify-jwt-logger',
      'authpair resource (logs, metrics, headers on) >= 1.5x Fastify + @fastify/jwt with its logger on, same token',
      same('resource'),
      same('fastify-jwt-logger'),
      1.5,
    ),
    ratioTarget(
      'resource-vs-fastify-jwt',
      'authpair resource >= 1.0x Fastify + @fastify/jwt with its logger off, same token',
      same('resource'),
      same('fastify-jwt'),
      1.0,
    ),
  );

  const resourceRows = rows.filter((row) => row.server === 'resource' && row.available);
  const peak = Math.max(...resourceRows.map((row) => row.peakRssMb));
  drafts.push({
    id: 'resource-peak-rss',
    text: 'authpair resource peak RSS < 150 MB under every load, the cache at its default size',
    value: resourceRows.length === 0 ? null : peak,
    shown: resourceRows.length === 0 ? 'not measured' : `${Math.round(peak)} MB`,
    holds: resourceRows.length === 0 ? null : peak < 150,
  });
  return drafts;
}

function healthTarget(rows: AuthRow[], deployment: string): Draft {
  const id = `healthz-${deployment === 'Compose' ? 'compose' : 'npm-start'}`;
  const text = `Auth: /healthz p99 < 20 ms during a login flood, ${deployment}`;
  const row = rows.find(
    (r) => r.deployment === deployment && r.load.startsWith('GET /healthz during'),
  );
  if (row === undefined || !row.measured)
    return { id, text, value: null, shown: row?.note ?? 'not measured', holds: null };
  return { id, text, value: row.p99, shown: `${row.p99.toFixed(1)} ms`, holds: row.p99 < 20 };
}

/** The targets of this run; `extra` are the ones computed elsewhere (login capacity, refresh). */
export function computeTargets(
  report: Pick<Report, 'protected' | 'auth'>,
  extra: Draft[],
): Draft[] {
  return [
    ...protectedTargets(report.protected),
    healthTarget(report.auth, 'npm start'),
    healthTarget(report.auth, 'Compose'),
    ...extra,
  ];
}

/**
 * Statuses, judged with the previous full run: met when it holds now and
 * held then; held once when only now. A quick or partial run has no
 * previous (its targets are for reading, not judging).
 */
export function judge(drafts: Draft[], previous: Report | undefined): Target[] {
  return drafts.map((draft) => {
    const before = previous?.targets.find((target) => target.id === draft.id);
    let status: TargetStatus;
    if (draft.holds === null)
      status = draft.shown.startsWith('not available yet') ? 'not available yet' : 'not measured';
    else if (!draft.holds) status = 'not met';
    else status = before?.holds === true ? 'met' : 'held once';
    return {
      ...draft,
      status,
      ...(before === undefined || previous === undefined
        ? {}
        : { previous: { shown: before.shown, holds: before.holds, date: previous.date } }),
    };
  });
}
