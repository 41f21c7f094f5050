import type { StoredKey } from './key-queries';
import { explainTerms, formatDuration, type KeySchedule } from './schedule';

/** A lifecycle step was not taken; the message says why and, when there is one, when it will be safe. */
export class KeyStepRefused extends Error {
  override readonly name = 'KeyStepRefused';
  constructor(
    message: string,
    /** When the step becomes safe, if waiting is all it needs. */
    readonly safeAt?: Date,
  ) {
    super(message);
  }
}

const later = (a: Date | null, b: Date): Date => (a !== null && a > b ? a : b);
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

/**
 * When a pending key may sign: its planned activate_at, and never sooner
 * than this service's own numbers allow after its publication, whatever a
 * row written with other settings says.
 */
export function activationSafeAt(key: StoredKey, schedule: KeySchedule): Date {
  return later(key.activateAt, plus(key.createdAt, schedule.pendingMs));
}

/** When a retiring key may leave the JWKS: every token it signed has expired (same floor as above). */
export function removalSafeAt(key: StoredKey, schedule: KeySchedule): Date {
  const since = key.retiringAt ?? key.createdAt;
  return later(key.removeAt, plus(since, schedule.retiringMs));
}

const at = (date: Date, now: Date) =>
  `${date.toISOString()} (in ${formatDuration(date.getTime() - now.getTime())})`;

export function earlyActivation(key: StoredKey, now: Date, schedule: KeySchedule): KeyStepRefused {
  const safeAt = activationSafeAt(key, schedule);
  return new KeyStepRefused(
    [
      `activating ${key.kid} now could make verifiers refuse its tokens: it was published ${formatDuration(now.getTime() - key.createdAt.getTime())} ago, and a verifier may not fetch it before ${at(safeAt, now)}.`,
      `The wait is ${formatDuration(schedule.pendingMs)} = ${explainTerms(schedule.pendingTerms)}.`,
      'The scheduler activates it then; pass --force to activate it now anyway.',
    ].join('\n'),
    safeAt,
  );
}

export function earlyRemoval(key: StoredKey, now: Date, schedule: KeySchedule): KeyStepRefused {
  const safeAt = removalSafeAt(key, schedule);
  return new KeyStepRefused(
    [
      `retiring ${key.kid} now would make verifiers refuse tokens it signed that are still valid, until ${at(safeAt, now)}.`,
      `The wait after it stopped signing is ${formatDuration(schedule.retiringMs)} = ${explainTerms(schedule.retiringTerms)}.`,
      'The scheduler retires it then; pass --force to retire it now anyway (for a compromised key).',
    ].join('\n'),
    safeAt,
  );
}
