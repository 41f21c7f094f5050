/**
 * The route fuzzer's plan for every operation of both API descriptions:
 * how many requests, which real rows and tokens a valid request names, and
 * what a request changed that later ones must know (a rotated refresh
 * token, a new password, a session that ended). An operation added to
 * AUTH_API or RESOURCE_API without a plan here fails the fuzz test.
 */
import { newPasswordSchema } from '@authpair/contracts';
import fc from 'fast-check';
import { request } from '../http';
import { type ActorSet, freshUsername, type SessionSlot, sessionOf } from './actors';
import {
  type Filling,
  type FuzzCase,
  type OperationPlan,
  type PreparedRequest,
  ref,
} from './cases';
import type { RawResponse } from './send';

/** Characters of a valid username beyond the prefix: letters of several scripts, digits, `._-`. */
const USERNAME_CHARS = [...'abcxyzQRS0189._-éüßжлλω中あ한'];
const usernameSuffix = fc
  .string({ unit: fc.constantFrom(...USERNAME_CHARS), maxLength: 16 })
  .map((suffix) => ref(`unique-username:${suffix}`));

/** A new password the policy accepts: any graphemes, 8 to 40 of them after NFKC. */
const newPassword = fc
  .string({ unit: 'grapheme', minLength: 8, maxLength: 40 })
  .filter((password) => newPasswordSchema.safeParse(password).success);

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Per operation id: what a valid request needs beyond its schemas. */
type PlanDetails = Omit<OperationPlan, 'operation' | 'service' | 'runs'> & { runs?: number };

const AUTH_PLANS: Record<string, PlanDetails> = {
  register: { runs: 60, bodyFields: { username: usernameSuffix, password: newPassword } },
  login: {
    runs: 60,
    bodyFields: {
      username: fc.constant(ref('login-username')),
      password: fc.constant(ref('login-password')),
    },
  },
  changePassword: {
    runs: 50,
    bodyFields: {
      current_password: fc.constant(ref('current-password')),
      new_password: newPassword,
    },
  },
  refreshGrant: {
    bodyFields: {
      grant_type: fc.constant('refresh_token'),
      refresh_token: fc.constant(ref('refresh-token')),
      scope: optional(fc.constant('profile')),
      client_id: optional(fc.constant('authpair')),
    },
    encodings: ['form', 'json'],
  },
  revokeToken: {
    bodyFields: {
      token: fc.oneof(
        { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 60 }) },
        { weight: 1, arbitrary: fc.constant(ref('revocable-refresh')) },
        { weight: 1, arbitrary: fc.constant(ref('revocable-access')) },
      ),
      token_type_hint: optional(fc.constantFrom('refresh_token', 'access_token', 'other')),
      client_id: optional(fc.constant('authpair')),
    },
    encodings: ['form', 'json'],
  },
  // Each success ends a session, and the next valid request logs in again (a bcrypt compare).
  logout: { runs: 50 },
  listSessions: {},
  endSession: { runs: 50, params: { id: fc.constant(ref('own-sid')) } },
  adminListUsers: { queryFields: { cursor: fc.constant(undefined) } },
  adminGetUser: { params: { id: fc.constant(ref('victim-flags')) } },
  adminDisableUser: { params: { id: fc.constant(ref('victim-flags')) } },
  adminEnableUser: { params: { id: fc.constant(ref('victim-flags')) } },
  adminGrantRole: {
    params: { id: fc.constant(ref('victim-roles')), role: fc.constantFrom('user', 'admin') },
  },
  // `user` is every account's and cannot be revoked: that answer is the fuzzer's, not a valid request's.
  adminRevokeRole: { params: { id: fc.constant(ref('victim-roles')), role: fc.constant('admin') } },
  adminListSessions: { params: { id: fc.constant(ref('victim-sessions')) } },
  adminEndSessions: { params: { id: fc.constant(ref('victim-roles')) } },
  adminEndSession: {
    runs: 50,
    params: {
      id: fc.constant(ref('victim-sessions')),
      sid: fc.constant(ref('victim-session-sid')),
    },
  },
  adminListAuditEvents: {
    queryFields: {
      cursor: fc.constant(undefined),
      user_id: optional(fc.oneof(fc.uuid(), fc.constant(ref('victim-flags')))),
    },
  },
  jwks: {},
  serverMetadata: {},
  // Its cursor is a number PostgreSQL holds in a bounded type: worth more tries.
  revocationFeed: { runs: 200, queryFields: { since: optional(fc.constant(ref('feed-cursor'))) } },
};

const COMMON_PLANS: Record<string, PlanDetails> = {
  liveness: {},
  readiness: {},
  metrics: { runs: 40 },
  openApiDocument: { runs: 40 },
  apiReference: { runs: 40 },
  apiReferenceScript: { runs: 30 },
};

const RESOURCE_PLANS: Record<string, PlanDetails> = { protected: {}, adminReports: {} };

const DEFAULT_RUNS = 100;

export function planFor(
  service: 'auth' | 'resource',
  operation: OperationPlan['operation'],
  scale: number,
): OperationPlan {
  const details =
    (service === 'auth' ? AUTH_PLANS : RESOURCE_PLANS)[operation.operationId] ??
    COMMON_PLANS[operation.operationId];
  if (details === undefined)
    throw new Error(`no fuzz plan for ${service} ${operation.operationId}: add one in plans.ts`);
  const { runs = DEFAULT_RUNS, ...rest } = details;
  return { ...rest, operation, service, runs: Math.max(5, Math.round(runs * scale)) };
}

/** Operations whose success ends or changes the caller's own session or account. */
const OWN_SLOT: Record<string, keyof ActorSet['slots']> = {
  logout: 'logout',
  endSession: 'endSession',
  changePassword: 'password',
};

/** How each case of an operation gets its real values, and what its answer changed. */
export class Stage {
  /** A bystander: another user's live token, on the routes of someone else's session. */
  private readonly bystander: SessionSlot;

  constructor(
    private readonly actors: ActorSet,
    bystander: SessionSlot,
  ) {
    this.bystander = bystander;
  }

  filling(plan: OperationPlan): Filling {
    const { actors } = this;
    return {
      resolve: (name) => this.resolve(name),
      credential: async () => {
        const { security, operationId } = plan.operation;
        if (security === 'public') return undefined;
        if (security === 'admin') return actors.admin.token;
        if (security === 'feed') return actors.feedToken;
        const slot = OWN_SLOT[operationId];
        return (await (slot === undefined ? actors.reader : actors.slots[slot]).get()).token;
      },
      otherUser: async () => {
        const session = await this.bystander.get();
        return { token: session.token, refreshToken: session.refreshToken };
      },
      endedToken: actors.endedToken,
      feedToken: actors.feedToken,
    };
  }

  private async resolve(name: string): Promise<string> {
    const { actors } = this;
    if (name.startsWith('unique-username:'))
      return [...`${freshUsername('r')}${name.slice('unique-username:'.length)}`]
        .slice(0, 32)
        .join('');
    switch (name) {
      case 'login-username':
        return actors.loginUser.username;
      case 'login-password':
        return actors.loginUser.password;
      case 'current-password':
        return actors.slots.password.account.password;
      case 'refresh-token':
        return (await actors.slots.refresh.get()).refreshToken;
      case 'revocable-refresh':
        return (await actors.slots.revoke.get()).refreshToken;
      case 'revocable-access':
        return (await actors.slots.revoke.get()).token;
      case 'own-sid':
        return (await actors.slots.endSession.get()).sid;
      case 'victim-flags':
        return actors.victims.flags.id;
      case 'victim-roles':
        return actors.victims.roles.id;
      case 'victim-sessions':
        return actors.victims.sessions.account.id;
      case 'victim-session-sid':
        return (await actors.victims.sessions.get()).sid;
      case 'feed-cursor':
        return actors.feedCursor ?? (await this.readFeedCursor());
      default:
        throw new Error(`no value for the ref ${name}`);
    }
  }

  private async readFeedCursor(): Promise<string> {
    const page = await request(`${this.actors.authUrl}/internal/revocations`, {
      headers: { authorization: `Bearer ${this.actors.feedToken}` },
    });
    if (page.status !== 200) throw new Error(`feed: ${page.status} ${page.text}`);
    this.actors.feedCursor = page.body.cursor;
    return page.body.cursor;
  }

  /** Keeps the actors true to what the answer did. */
  after(plan: OperationPlan, fuzzCase: FuzzCase, sent: PreparedRequest, response: RawResponse) {
    const { actors } = this;
    const ok = response.status >= 200 && response.status < 300;
    const { operationId } = plan.operation;
    const slot = OWN_SLOT[operationId];
    if (ok && slot !== undefined) {
      if (operationId === 'changePassword') {
        const body = sent.sentBody as { new_password?: unknown } | undefined;
        if (typeof body?.new_password === 'string' && fuzzCase.auth.kind !== 'user-token')
          actors.slots.password.account.password = body.new_password;
      } else actors.slots[slot].spend();
      if (fuzzCase.auth.kind === 'user-token') this.bystander.spend();
    }
    const tokens = jsonOf(response);
    if (sent.filled.has('refresh-token')) {
      if (typeof tokens?.refresh_token === 'string')
        actors.slots.refresh.replace(
          sessionOf(tokens as { access_token: string; refresh_token: string }),
        );
      else actors.slots.refresh.spend();
    }
    if (sent.filled.has('revocable-refresh') || sent.filled.has('revocable-access'))
      actors.slots.revoke.spend();
    if (operationId === 'adminEndSession' && ok) actors.victims.sessions.spend();
    if (operationId === 'revocationFeed' && typeof tokens?.cursor === 'string')
      actors.feedCursor = tokens.cursor;
  }
}

/** A successful answer's JSON object, if it is one. */
function jsonOf(response: RawResponse): Record<string, unknown> | undefined {
  if (response.status !== 200) return undefined;
  try {
    const value = JSON.parse(response.text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
