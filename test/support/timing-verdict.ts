/**
 * The verdict of a timing comparison run in rounds (enumeration-timing.test.ts).
 * A round is conclusive when its own A/A noise was under the tolerance, and
 * passes when the two paths differed by less than the tolerance.
 *
 * The verdict is the majority of the conclusive rounds: passed when more
 * than half of them passed, i.e. when their upper median is within the
 * tolerance (with two conclusive rounds both must pass). Not best-of-N,
 * which lets a partial leak through whenever one round happens to land
 * inside the tolerance; not all-of-N, which fails a sound service on one
 * burst of load from a neighbour. With no conclusive round there is no
 * verdict: the test must say "not judged", never "passed".
 */
export interface RoundOutcome {
  conclusive: boolean;
  passed: boolean;
}

export type Verdict = 'passed' | 'failed' | 'not judged';

function tally(rounds: readonly RoundOutcome[]): { passed: number; failed: number } {
  const conclusive = rounds.filter((round) => round.conclusive);
  const passed = conclusive.filter((round) => round.passed).length;
  return { passed, failed: conclusive.length - passed };
}

export function verdict(rounds: readonly RoundOutcome[]): Verdict {
  const { passed, failed } = tally(rounds);
  if (passed + failed === 0) return 'not judged';
  return passed > failed ? 'passed' : 'failed';
}

/** Whether the rounds still to come (up to `maxRounds` in all) can no longer change the verdict. */
export function decided(rounds: readonly RoundOutcome[], maxRounds: number): boolean {
  const { passed, failed } = tally(rounds);
  const remaining = maxRounds - rounds.length;
  return passed > failed + remaining || passed + remaining <= failed;
}
