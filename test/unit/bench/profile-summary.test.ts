import { type CpuProfile, summarizeProfile } from '../../bench/profile-summary';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0, columnNumber: 0 },
  children,
});

/** root -> handler (project) -> jwtVerify (jose) -> native; root -> writev (node:net); root -> GC. */
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 5, 6]),
    frame(2, 'handler', 'file:///repo/services/resource/dist/app.js', [3]),
    frame(3, 'jwtVerify', 'file:///repo/node_modules/jose/dist/webapi/jwt/verify.js', [4]),
    frame(4, 'digest', ''),
    frame(5, 'writev', 'node:internal/stream_base_commons'),
    frame(6, '(garbage collector)', ''),
  ],
  startTime: 0,
  endTime: 1000,
  // Each sample's own time is the next delta: 100 µs each, the first at t=100.
  samples: [2, 3, 4, 5, 6, 4],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100],
};

describe('CPU profile summary', () => {
  it('groups self time into this project, jose, node:http/net and V8/GC', () => {
    const summary = summarizeProfile(profile, {
      fromUs: 0,
      toUs: 10_000,
      requests: 1,
      processCpuSeconds: 0.001,
    });
    const us = Object.fromEntries(summary.groups.map((g) => [g.group, g.usPerRequest]));
    // digest (native, no script) counts for jose, which called it: 3 samples in all.
    expect(us).toEqual({
      'this project': 100,
      jose: 300,
      'node:http/net': 100,
      'V8/GC': 100,
      other: 0,
    });
  });

  it('counts only the samples inside the measured window', () => {
    const summary = summarizeProfile(profile, {
      fromUs: 250,
      toUs: 450,
      requests: 1,
      processCpuSeconds: 0.001,
    });
    // Samples at t=300 (digest) and t=400 (writev).
    expect(summary.busyMs).toBeCloseTo(0.2);
  });
});
