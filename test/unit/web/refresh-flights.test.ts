import {
  type Exchange,
  type Grant,
  RefreshFlights,
  remainingTokens,
} from '../../../services/web/src/bff/refresh-flights';
import type { UpstreamAnswer } from '../../../services/web/src/bff/upstream';

/**
 * A fake auth service that rotates like the real one with no grace window:
 * each live token is spent by its first exchange; presenting a spent one
 * ends the family (reuse detection). It counts what reaches it.
 */
function fakeAuth() {
  let next = 1;
  const live = new Set(['rt0']);
  const spent = new Set<string>();
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  let held = false;
  const answer = (status: number, error: string): UpstreamAnswer => ({
    status,
    headers: new Headers(),
    body: Buffer.from(JSON.stringify({ error })),
  });
  return {
    calls,
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const resume of pending.splice(0)) resume();
    },
    exchange(token: string, clock: () => number = Date.now) {
      return async (): Promise<Exchange> => {
        calls.push(token);
        if (held) await new Promise<void>((resolve) => pending.push(resolve));
        if (spent.has(token)) {
          live.clear();
          return { kind: 'refused', answer: answer(400, 'invalid_grant'), ended: true };
        }
        if (!live.delete(token))
          return { kind: 'refused', answer: answer(400, 'invalid_grant'), ended: true };
        spent.add(token);
        const refreshToken = `rt${next}`;
        next += 1;
        live.add(refreshToken);
        const grant: Grant = {
          tokens: {
            access_token: `at-${refreshToken}`,
            token_type: 'Bearer',
            expires_in: 30,
            refresh_token: refreshToken,
          },
          receivedAt: clock(),
        };
        return { kind: 'granted', grant };
      };
    },
  };
}

function tokenOf(outcome: Exchange): string | undefined {
  return outcome.kind === 'granted' ? outcome.grant.tokens.refresh_token : undefined;
}

describe('RefreshFlights', () => {
  it('sends concurrent refreshes of one token to auth once, and gives each the same grant', async () => {
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000 });
    auth.hold();
    const asks = Array.from({ length: 10 }, () => flights.refresh('rt0', auth.exchange('rt0')));
    auth.release();
    const outcomes = await Promise.all(asks);
    expect(auth.calls).toEqual(['rt0']);
    expect(new Set(outcomes.map(tokenOf))).toEqual(new Set(['rt1']));
    expect(outcomes.map((outcome) => outcome.via).sort()).toEqual([
      'exchanged',
      ...Array(9).fill('joined'),
    ]);
  });

  it('answers a token spent within the window with the newest grant of its session, without calling auth', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000, clock });
    expect(tokenOf(await flights.refresh('rt0', auth.exchange('rt0', clock)))).toBe('rt1');
    now += 3000;
    const late = await flights.refresh('rt0', auth.exchange('rt0', clock));
    expect(late).toMatchObject({ kind: 'granted', via: 'shared' });
    expect(tokenOf(late)).toBe('rt1');
    // The live token rotates as usual; a still older one then gets the newest.
    expect(tokenOf(await flights.refresh('rt1', auth.exchange('rt1', clock)))).toBe('rt2');
    expect(tokenOf(await flights.refresh('rt0', auth.exchange('rt0', clock)))).toBe('rt2');
    expect(auth.calls).toEqual(['rt0', 'rt1']);
  });

  it('makes a spent token wait for the rotation of the newest one in flight, rather than hand out a token about to be spent', async () => {
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000 });
    await flights.refresh('rt0', auth.exchange('rt0'));
    auth.hold();
    const rotating = flights.refresh('rt1', auth.exchange('rt1'));
    const late = flights.refresh('rt0', auth.exchange('rt0'));
    auth.release();
    expect(tokenOf(await rotating)).toBe('rt2');
    expect(await late).toMatchObject({ via: 'joined' });
    expect(tokenOf(await late)).toBe('rt2');
    expect(auth.calls).toEqual(['rt0', 'rt1']);
  });

  it('sends a spent token to auth once the window has passed, where reuse detection answers it', async () => {
    let now = 0;
    const clock = () => now;
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000, clock });
    await flights.refresh('rt0', auth.exchange('rt0', clock));
    now += 10_000;
    const late = await flights.refresh('rt0', auth.exchange('rt0', clock));
    expect(late).toMatchObject({ kind: 'refused', ended: true, via: 'exchanged' });
    expect(auth.calls).toEqual(['rt0', 'rt0']);
  });

  it('with a window of 0 shares only exchanges in flight', async () => {
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 0 });
    await flights.refresh('rt0', auth.exchange('rt0'));
    expect(await flights.refresh('rt0', auth.exchange('rt0'))).toMatchObject({ kind: 'refused' });
    expect(flights.size).toBe(0);
  });

  it('gives a session ended here (a logout) nothing more for its spent tokens', async () => {
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000 });
    await flights.refresh('rt0', auth.exchange('rt0'));
    flights.end('rt1');
    expect(await flights.refresh('rt0', auth.exchange('rt0'))).toMatchObject({
      kind: 'refused',
      via: 'exchanged',
    });
  });

  it('gives the spent tokens of a session auth refused nothing more', async () => {
    const auth = fakeAuth();
    const flights = new RefreshFlights({ windowMs: 10_000 });
    await flights.refresh('rt0', auth.exchange('rt0'));
    // Someone else spent rt1 directly at auth; this backend's exchange of it is refused.
    const stolen = auth.exchange('rt1');
    await stolen();
    expect(await flights.refresh('rt1', auth.exchange('rt1'))).toMatchObject({ kind: 'refused' });
    expect(await flights.refresh('rt0', auth.exchange('rt0'))).toMatchObject({
      kind: 'refused',
      via: 'exchanged',
    });
  });

  it('does not remember an exchange that failed: the next request tries again', async () => {
    const flights = new RefreshFlights({ windowMs: 10_000 });
    const failing = () => Promise.reject(new Error('auth unreachable'));
    await expect(flights.refresh('rt0', failing)).rejects.toThrow('auth unreachable');
    const auth = fakeAuth();
    expect(tokenOf(await flights.refresh('rt0', auth.exchange('rt0')))).toBe('rt1');
  });

  it('forgets the oldest tokens beyond its bound', async () => {
    const flights = new RefreshFlights({ windowMs: 60_000, maxEntries: 4 });
    for (let session = 0; session < 5; session += 1) {
      const grant: Grant = {
        tokens: {
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 30,
          refresh_token: `s${session}-1`,
        },
        receivedAt: Date.now(),
      };
      await flights.refresh(`s${session}-0`, async () => ({ kind: 'granted', grant }));
    }
    expect(flights.size).toBe(4);
  });
});

describe('remainingTokens', () => {
  it('drops the refresh token and counts expires_in from when auth answered', () => {
    const grant: Grant = {
      tokens: { access_token: 'at', token_type: 'Bearer', expires_in: 30, refresh_token: 'rt' },
      receivedAt: 10_000,
    };
    expect(remainingTokens(grant, 10_999)).toEqual({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 30,
    });
    expect(remainingTokens(grant, 17_500)).toMatchObject({ expires_in: 23 });
    expect(remainingTokens(grant, 99_000)).toMatchObject({ expires_in: 1 });
  });
});
