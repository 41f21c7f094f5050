/**
 * The real credentials and rows a valid request needs: accounts, their
 * sessions, an admin, the feed token, a refresh-token chain. A session
 * that a request ended (a logout, a deleted session) is replaced by a new
 * login the next time one is needed, so the fuzzer never sends a "valid"
 * request with a token it already spent.
 */
import { randomBytes } from 'node:crypto';
import { createAdmin } from '../admin';
import { claimsOf, eventually, GOOD_PASSWORD, request } from '../http';

export interface Session {
  token: string;
  refreshToken: string;
  sid: string;
}

let accounts = 0;
/** A username no other run uses: a letter, then base36 (the policy's alphabet). */
export function freshUsername(prefix = 'f'): string {
  accounts += 1;
  return `${prefix}${accounts.toString(36)}x${randomBytes(3).toString('hex')}`;
}

export class Account {
  constructor(
    readonly authUrl: string,
    readonly id: string,
    readonly username: string,
    public password: string,
  ) {}

  static async register(authUrl: string, password = GOOD_PASSWORD): Promise<Account> {
    const username = freshUsername('fz');
    const answer = await eventually(
      () => request(`${authUrl}/register`, { body: { username, password } }),
      (response) => response.status !== 503,
      { intervalMs: 200, what: 'a registration answered other than 503' },
    );
    if (answer.status !== 201) throw new Error(`register: ${answer.status} ${answer.text}`);
    return new Account(authUrl, answer.body.id, username, password);
  }

  async login(): Promise<Session> {
    // A documented 503 (a busy machine: the database or the hash pool) says to retry: so do we.
    const answer = await eventually(
      () =>
        request(`${this.authUrl}/login`, {
          body: { username: this.username, password: this.password },
        }),
      (response) => response.status !== 503,
      { intervalMs: 200, what: `a login of ${this.username} answered other than 503` },
    );
    if (answer.status !== 200) throw new Error(`login: ${answer.status} ${answer.text}`);
    return sessionOf(answer.body);
  }
}

export function sessionOf(tokens: { access_token: string; refresh_token: string }): Session {
  return {
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
    sid: String(claimsOf(tokens.access_token).sid),
  };
}

/** One live session of an account at a time; `spend()` after a request ended it. */
export class SessionSlot {
  private current: Promise<Session> | undefined;
  constructor(readonly account: Account) {}

  get(): Promise<Session> {
    this.current ??= this.account.login();
    return this.current;
  }

  /** Its session ended (or may have): the next `get()` logs in again. */
  spend(): void {
    this.current = undefined;
  }

  /** The refresh token was rotated: keep the session with its new tokens. */
  replace(session: Session): void {
    this.current = Promise.resolve(session);
  }
}

export interface ActorSet {
  authUrl: string;
  feedToken: string;
  admin: { id: string; token: string };
  /** A user whose session nothing ends: `/sessions`, `/protected`, a non-admin on admin routes. */
  reader: SessionSlot;
  /** Logs in and out through the fuzzed `/login`. */
  loginUser: Account;
  /** One slot per operation that ends or changes its caller's session. */
  slots: Record<'logout' | 'endSession' | 'password' | 'revoke' | 'refresh', SessionSlot>;
  /** Targets of the admin operations; never the admin, never the reader. */
  victims: { flags: Account; roles: Account; sessions: SessionSlot };
  /** An access token whose session has ended. */
  endedToken: string;
  /** The revocation feed's last cursor (a valid `since`). */
  feedCursor: string | undefined;
}

export async function createActors(
  databaseUrl: string,
  authUrl: string,
  feedToken: string,
): Promise<ActorSet> {
  const register = () => Account.register(authUrl);
  const [admin, reader, loginUser, logout, endSession, password, revoke, refresh] =
    await Promise.all([
      createAdmin(databaseUrl, authUrl),
      register(),
      register(),
      register(),
      register(),
      register(),
      register(),
      register(),
    ]);
  const [flags, roles, sessions, ended] = await Promise.all([
    register(),
    register(),
    register(),
    register(),
  ]);
  const endedSession = await ended.login();
  const logoutAnswer = await request(`${authUrl}/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endedSession.token}` },
  });
  if (logoutAnswer.status !== 204) throw new Error(`logout: ${logoutAnswer.status}`);
  return {
    authUrl,
    feedToken,
    admin: { id: admin.id, token: admin.token },
    reader: new SessionSlot(reader),
    loginUser,
    slots: {
      logout: new SessionSlot(logout),
      endSession: new SessionSlot(endSession),
      password: new SessionSlot(password),
      revoke: new SessionSlot(revoke),
      refresh: new SessionSlot(refresh),
    },
    victims: { flags, roles, sessions: new SessionSlot(sessions) },
    endedToken: endedSession.token,
    feedCursor: undefined,
  };
}
