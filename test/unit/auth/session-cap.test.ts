import { sessionsOverCap } from '../../../services/auth/src/sessions/session-cap';

const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 0, minutes));
const live = (...logins: [string, number][]) =>
  logins.map(([id, minutes]) => ({ id, createdAt: at(minutes) }));

describe('session cap decision', () => {
  it('ends nothing while the new session fits under the cap', () => {
    expect(sessionsOverCap({ live: live(['a', 1], ['b', 2]), maxPerUser: 3 })).toEqual([]);
    expect(sessionsOverCap({ live: [], maxPerUser: 1 })).toEqual([]);
  });

  it('ends the oldest logins first, as many as the new one needs', () => {
    const sessions = live(['late', 30], ['first', 1], ['middle', 10]);
    expect(sessionsOverCap({ live: sessions, maxPerUser: 3 })).toEqual(['first']);
    expect(sessionsOverCap({ live: sessions, maxPerUser: 1 })).toEqual(['first', 'middle', 'late']);
  });

  it('breaks ties of login time by id, so every replica decides alike', () => {
    expect(sessionsOverCap({ live: live(['b', 1], ['a', 1], ['c', 2]), maxPerUser: 2 })).toEqual([
      'a',
      'b',
    ]);
  });

  it('brings a user far over the cap (sessions from before it was lowered) back to it', () => {
    const many = Array.from({ length: 50 }, (_, index) => ({
      id: `s${String(index).padStart(2, '0')}`,
      createdAt: at(index),
    }));
    const ended = sessionsOverCap({ live: many, maxPerUser: 10 });
    expect(ended).toHaveLength(41);
    expect(ended.at(-1)).toBe('s40');
  });
});
