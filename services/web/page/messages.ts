/** What the page says, in one place: sign-out reasons and failures, in words for people. */
import { type AuthpairClientError, isClientError, type SignOutReason } from '@authpair/client';

/** Why the page shows the sign-in form again. */
export const SIGNED_OUT_BECAUSE: Readonly<Record<SignOutReason, string>> = {
  user: 'You signed out.',
  revoked:
    'You were signed out: this session was ended elsewhere (a logout, a password change or an administrator).',
  reuse_detected:
    'You were signed out: a used sign-in token of this session was presented again, so the session was ended to protect your account. Sign in again, and change your password if this keeps happening.',
  disabled: 'You were signed out: an administrator disabled your account.',
  expired: 'You were signed out: your session expired. Sign in again.',
};

/** A failure of a call, as a sentence; `action` says what was tried ("Signing in"). */
export function failureText(error: unknown, action: string): string {
  if (!isClientError(error)) return `${action} failed unexpectedly. Reload the page and try again.`;
  const known = KNOWN[error.code];
  if (known !== undefined) return known(error);
  if (error.retryable)
    return `${action} failed: the service is unavailable right now. Try again in a moment.`;
  return `${action} failed: ${error.problem?.detail ?? error.problem?.title ?? error.message}.`;
}

const waitText = (error: AuthpairClientError) =>
  error.retryAfterMs === undefined
    ? 'Wait a while'
    : `Wait ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} seconds`;

const KNOWN: Record<string, (error: AuthpairClientError) => string> = {
  invalid_credentials: () => 'The username or the password is not right. Check both and try again.',
  account_disabled: () => 'An administrator disabled this account.',
  username_taken: () => 'This username is taken. Choose another one.',
  rate_limited: (error) => `Too many attempts. ${waitText(error)} before trying again.`,
  network: () => 'The service could not be reached. Check your connection and try again.',
  signed_out: () => 'Your session has ended.',
  not_signed_in: () => 'You are not signed in.',
  unauthorized: () => 'The resource service refused this session.',
  lock_timeout: () => 'Another tab is busy with this session. Try again in a moment.',
};
