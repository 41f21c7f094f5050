import { cpuSecondsOfStat, ticksToSeconds } from '../../bench/system';

describe('CPU accounting from /proc', () => {
  it('reads utime and stime after a command name that holds spaces and parentheses', () => {
    const stat =
      '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(cpuSecondsOfStat(stat)).toBeCloseTo(ticksToSeconds(300));
  });
});
