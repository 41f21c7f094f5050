/**
 * What tabs tell each other on the channel. Tokens travel only in
 * `session` messages, which are sent only where storage already exposes
 * them to every script of the origin (see storage.ts).
 */
import { isStoredSession, type StoredSession } from './session';
import type { SignOutReason } from './types';

export type Message =
  | { type: 'session'; session: StoredSession }
  | { type: 'user_updated'; sessionId: string | undefined }
  | {
      type: 'signed_out';
      sessionId: string | undefined;
      userId: string | undefined;
      /** Every session of `userId` ended (a logout of all sessions). */
      all: boolean;
      reason: SignOutReason;
    };

/** Total over SignOutReason, so a new reason cannot be forgotten here. */
const SIGN_OUT_REASONS: Readonly<Record<SignOutReason, true>> = {
  user: true,
  revoked: true,
  reuse_detected: true,
  disabled: true,
  expired: true,
};

/** Parses a channel message; anything else (another library's, a newer format) is ignored. */
export function messageOf(data: unknown): Message | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as Record<string, unknown>;
  const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
  switch (message.type) {
    case 'session':
      return isStoredSession(message.session) ? (message as Message) : undefined;
    case 'user_updated':
      return optionalString(message.sessionId) ? (message as Message) : undefined;
    case 'signed_out':
      return optionalString(message.sessionId) &&
        optionalString(message.userId) &&
        typeof message.all === 'boolean' &&
        typeof message.reason === 'string' &&
        Object.hasOwn(SIGN_OUT_REASONS, message.reason)
        ? (message as Message)
        : undefined;
    default:
      return undefined;
  }
}
