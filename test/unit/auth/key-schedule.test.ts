import { computeKeySchedule, type KeyScheduleSettings } from '@authpair/auth';
import type { StoredKey } from '../../../services/auth/src/keys/key-queries';
import {
  activationSafeAt,
  earlyActivation,
  removalSafeAt,
} from '../../../services/auth/src/keys/key-rules';
import { formatDuration } from '../../../services/auth/src/keys/schedule';

/** The defaults documented in the README. */
const defaults: KeyScheduleSettings = {
  jwksMaxAge: 300,
  verifierJwksMaxTtl: 600,
  verifierCooldown: 30,
  clockTolerance: 60,
  refreshIntervalMs: 10_000,
  accessTokenTtl: 900,
};

function key(overrides: Partial<StoredKey>): StoredKey {
  return {
    kid: 'kid-new',
    state: 'pending',
    publicJwk: { kty: 'RSA', kid: 'kid-new', alg: 'RS256', use: 'sig', n: 'AQAB', e: 'AQAB' },
    kekId: 'kek1',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    activateAt: null,
    activatedAt: null,
    retireAt: null,
    retiringAt: null,
    removeAt: null,
    retiredAt: null,
    ...overrides,
  };
}

describe('the key schedule', () => {
  it('waits, with the defaults, 11m 40s before a new key signs and 16m 10s before an old one leaves', () => {
    const schedule = computeKeySchedule(defaults);
    // 10 s replicas + 600 s verifier cache + 30 s cooldown + 60 s tolerance
    expect(schedule.pendingMs).toBe(700_000);
    // 10 s replicas + 900 s token lifetime + 60 s tolerance
    expect(schedule.retiringMs).toBe(970_000);
    expect(formatDuration(schedule.pendingMs)).toBe('11m 40s');
    expect(formatDuration(schedule.retiringMs)).toBe('16m 10s');
  });

  it('waits out the advertised max-age when it is longer than what verifiers impose', () => {
    const schedule = computeKeySchedule({ ...defaults, jwksMaxAge: 3600 });
    expect(schedule.pendingMs).toBe(10_000 + 3_600_000 + 30_000 + 60_000);
    expect(schedule.pendingTerms.map((term) => term.reason)).toContain(
      'JWKS Cache-Control max-age (JWKS_MAX_AGE)',
    );
  });

  it('grows the retiring wait with the access-token lifetime', () => {
    const short = computeKeySchedule({ ...defaults, accessTokenTtl: 60 });
    const long = computeKeySchedule({ ...defaults, accessTokenTtl: 3600 });
    expect(long.retiringMs - short.retiringMs).toBe(3_540_000);
  });

  it('never activates sooner than its own numbers allow after publication, whatever the row says', () => {
    const schedule = computeKeySchedule(defaults);
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const tooEarly = key({ createdAt, activateAt: new Date('2026-01-01T00:00:01Z') });
    expect(activationSafeAt(tooEarly, schedule)).toEqual(new Date('2026-01-01T00:11:40Z'));
    const later = key({ createdAt, activateAt: new Date('2026-01-02T00:00:00Z') });
    expect(activationSafeAt(later, schedule)).toEqual(new Date('2026-01-02T00:00:00Z'));
  });

  it('keeps a retiring key published until its last token expired', () => {
    const schedule = computeKeySchedule(defaults);
    const retiring = key({
      state: 'retiring',
      retiringAt: new Date('2026-01-01T00:00:00Z'),
      removeAt: new Date('2026-01-01T00:00:05Z'),
    });
    expect(removalSafeAt(retiring, schedule)).toEqual(new Date('2026-01-01T00:16:10Z'));
  });

  it('explains a refused early activation: when it is safe, the terms, and --force', () => {
    const schedule = computeKeySchedule(defaults);
    const pending = key({ createdAt: new Date('2026-01-01T00:00:00Z') });
    const refusal = earlyActivation(pending, new Date('2026-01-01T00:01:40Z'), schedule);
    expect(refusal.safeAt).toEqual(new Date('2026-01-01T00:11:40Z'));
    expect(refusal.message).toContain('2026-01-01T00:11:40.000Z (in 10m 00s)');
    expect(refusal.message).toContain(
      '10m 00s verifiers may cache the JWKS (VERIFIER_JWKS_MAX_TTL)',
    );
    expect(refusal.message).toContain('--force');
  });

  it.each([
    [250, '250ms'],
    [4000, '4s'],
    [61_000, '1m 01s'],
    [3_723_000, '1h 02m 03s'],
    [90 * 86_400_000, '90d 00h 00m 00s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
