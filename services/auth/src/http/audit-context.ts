import type { RequestState } from '@authpair/service-kit';
import type { Context } from 'koa';
import type { AuditContext } from '../audit/audit-log';
import { printable } from '../db/printable';

/**
 * Who is behind a request, for the audit trail: the signed-in user when a
 * token was verified (`ctx.state.principal`), else anonymous; the client
 * address as the rate limits see it (see TRUST_PROXY); the request id we
 * generated, so an event leads to its log lines, and apart from it the id
 * the client sent, which only the client can vouch for.
 */
export function auditContextOf(ctx: Pick<Context, 'ip'> & { state: RequestState }): AuditContext {
  const principal = (ctx.state as { principal?: { userId?: unknown } }).principal;
  const userId = typeof principal?.userId === 'string' ? principal.userId : null;
  return {
    actor: userId === null ? { kind: 'anonymous', userId: null } : { kind: 'user', userId },
    clientAddress: printable(ctx.ip, 64),
    requestId: ctx.state.requestId,
    clientRequestId: ctx.state.clientRequestId ?? null,
  };
}
