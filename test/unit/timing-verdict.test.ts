import { decided, type RoundOutcome, verdict } from '../support/timing-verdict';

const PASSED: RoundOutcome = { conclusive: true, passed: true };
const FAILED: RoundOutcome = { conclusive: true, passed: false };
const NOISY: RoundOutcome = { conclusive: false, passed: false };

describe('the verdict of a timing comparison in rounds', () => {
  it('is "not judged" when no round was conclusive, never "passed"', () => {
    expect(verdict([NOISY, NOISY, NOISY])).toBe('not judged');
    expect(verdict([])).toBe('not judged');
  });

  it('fails when most conclusive rounds showed a difference, even if one passed', () => {
    expect(verdict([FAILED, PASSED, FAILED])).toBe('failed');
    expect(verdict([PASSED, FAILED, FAILED])).toBe('failed');
    expect(verdict([PASSED, FAILED, NOISY])).toBe('failed');
  });

  it('passes on a majority, which one noisy burst does not overturn', () => {
    expect(verdict([PASSED, FAILED, PASSED])).toBe('passed');
    expect(verdict([NOISY, PASSED])).toBe('passed');
    expect(verdict([PASSED, PASSED])).toBe('passed');
  });

  it('stops early only once the remaining rounds cannot change the verdict', () => {
    expect(decided([PASSED], 3)).toBe(false);
    expect(decided([PASSED, PASSED], 3)).toBe(true);
    expect(decided([FAILED, FAILED], 3)).toBe(true);
    expect(decided([PASSED, FAILED], 3)).toBe(false);
    expect(decided([NOISY, NOISY], 3)).toBe(false);
    expect(decided([NOISY, NOISY, NOISY], 3)).toBe(true);
  });
});
