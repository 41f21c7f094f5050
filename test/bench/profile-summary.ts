/**
 * Reads a V8 .cpuprofile (what node --cpu-prof writes) into self time per
 * function, per package and per group, over a window of the run, per
 * request. Pure, so it can be tested on a made-up profile.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const GROUPS = ['this project', 'jose', 'node:http/net', 'V8/GC', 'other'] as const;
export type Group = (typeof GROUPS)[number];

export interface FunctionCost {
  name: string;
  location: string;
  group: Group;
  package: string;
  selfMs: number;
  usPerRequest: number;
}

export interface ProfileSummary {
  /** Main-thread time sampled in the window, idle excluded, ms. */
  busyMs: number;
  idleMs: number;
  /** The process's CPU over the run (/proc: every thread, libuv's pool included), ms. */
  processCpuMs: number;
  requests: number;
  groups: Array<{ group: Group; ms: number; usPerRequest: number; share: number }>;
  packages: Array<{ package: string; group: Group; ms: number; usPerRequest: number }>;
  top: FunctionCost[];
  /**
   * Inclusive time (the function and all it calls) of this project's
   * functions, and of the library functions they call directly: where the
   * time of a request goes, by what this project asked for.
   */
  inclusive: Array<{ name: string; location: string; group: Group; usPerRequest: number }>;
}

const HTTP_NET =
  /^node:(_http_\w+|http|https|net|stream|_stream_\w+|internal\/(http|net|stream_base_commons|streams\/\w+|js_stream_socket|dns\/\w+|timers|perf\/\w+))$/;

/** The package a script belongs to: an npm package, a node: module, or this repository's workspace. */
export function packageOf(url: string): string {
  if (url === '') return '';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1] as string;
  if (url.startsWith('node:')) return url;
  const own = /\/(services\/[^/]+|packages\/[^/]+|test\/bench\/peers)\//.exec(url);
  if (own) return own[1] as string;
  return url;
}

function groupOfUrl(url: string): Group | undefined {
  if (url === '') return undefined;
  if (/node_modules\/jose\//.test(url)) return 'jose';
  if (/node_modules\//.test(url)) return 'other';
  if (url.startsWith('node:')) return HTTP_NET.test(url) ? 'node:http/net' : undefined;
  if (/\/(services|packages)\/|\/test\/bench\/peers\//.test(url)) return 'this project';
  return 'other';
}

/**
 * The group of every node. V8's own entries ((garbage collector),
 * (program)) are V8/GC. A builtin or native function (no script) counts
 * for whoever called it; so does node's internal code below jose (its
 * WebCrypto glue) or below this project's code (e.g. the URL parser it
 * calls); node internals with neither above them are "other".
 */
function classify(profile: CpuProfile): Map<number, { group: Group; package: string }> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const result = new Map<number, { group: Group; package: string }>();
  const resolve = (id: number): { group: Group; package: string } => {
    const known = result.get(id);
    if (known) return known;
    const node = byId.get(id) as CpuProfileNode;
    const { functionName, url } = node.callFrame;
    let found: { group: Group; package: string };
    if (functionName === '(garbage collector)' || functionName === '(program)')
      found = { group: 'V8/GC', package: functionName };
    else {
      const own = groupOfUrl(url);
      const up = parent.get(id);
      const caller = up === undefined ? undefined : resolve(up);
      if (own !== undefined) found = { group: own, package: packageOf(url) };
      else if (
        caller !== undefined &&
        (caller.group === 'jose' || caller.group === 'this project' || url === '')
      )
        found = { group: caller.group, package: url === '' ? caller.package : packageOf(url) };
      else found = { group: 'other', package: packageOf(url) || '(native)' };
    }
    result.set(id, found);
    return found;
  };
  for (const node of profile.nodes) resolve(node.id);
  return result;
}

function locationOf(node: CpuProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  return url === ''
    ? '(native)'
    : `${url.replace(/^.*?\/(node_modules|services|packages|test)\//, '$1/')}:${lineNumber + 1}`;
}

/**
 * Inclusive time per function of this project, and per library function
 * called straight from this project's code; a function on a stack twice
 * (recursion) counts once per sample.
 */
function inclusiveTimes(
  profile: CpuProfile,
  self: Map<number, number>,
  classes: Map<number, { group: Group; package: string }>,
): Map<string, { name: string; location: string; group: Group; us: number }> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const isOwn = (id: number | undefined) =>
    id !== undefined &&
    classes.get(id)?.group === 'this project' &&
    byId.get(id)?.callFrame.url !== '';
  const totals = new Map<string, { name: string; location: string; group: Group; us: number }>();
  for (const [leaf, us] of self) {
    const counted = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id) as CpuProfileNode;
      if (!isOwn(id) && !isOwn(parent.get(id))) continue;
      if (node.callFrame.url === '' && !isOwn(id)) continue;
      const location = locationOf(node);
      const name = node.callFrame.functionName || '(anonymous)';
      const key = `${name}@${location}`;
      if (counted.has(key)) continue;
      counted.add(key);
      const entry = totals.get(key) ?? {
        name,
        location,
        group: classes.get(id)?.group ?? 'other',
        us: 0,
      };
      entry.us += us;
      totals.set(key, entry);
    }
  }
  return totals;
}

export function summarizeProfile(
  profile: CpuProfile,
  options: { fromUs: number; toUs: number; requests: number; processCpuSeconds: number },
): ProfileSummary {
  const self = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    // timeDeltas[i] is the time before sample i; the sample's own share is the next delta.
    t += profile.timeDeltas[i] ?? 0;
    const share = profile.timeDeltas[i + 1] ?? 0;
    if (t < options.fromUs || t > options.toUs) continue;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + share);
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const classes = classify(profile);
  const inclusive = inclusiveTimes(profile, self, classes);
  let idleUs = 0;
  const functions = new Map<string, FunctionCost>();
  const groups = new Map<Group, number>();
  const packages = new Map<string, { group: Group; us: number }>();
  for (const [id, us] of self) {
    const node = byId.get(id) as CpuProfileNode;
    const { functionName } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(root)') {
      idleUs += us;
      continue;
    }
    const { group, package: pkg } = classes.get(id) as { group: Group; package: string };
    groups.set(group, (groups.get(group) ?? 0) + us);
    const packageEntry = packages.get(pkg) ?? { group, us: 0 };
    packageEntry.us += us;
    packages.set(pkg, packageEntry);
    const location = locationOf(node);
    const key = `${functionName}@${location}@${group}`;
    const entry = functions.get(key) ?? {
      name: functionName || '(anonymous)',
      location,
      group,
      package: pkg,
      selfMs: 0,
      usPerRequest: 0,
    };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
  }
  const busyUs = [...groups.values()].reduce((a, b) => a + b, 0);
  const perRequest = (us: number) => us / Math.max(1, options.requests);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    processCpuMs: options.processCpuSeconds * 1000,
    requests: options.requests,
    groups: GROUPS.map((group) => {
      const us = groups.get(group) ?? 0;
      return {
        group,
        ms: us / 1000,
        usPerRequest: perRequest(us),
        share: busyUs > 0 ? us / busyUs : 0,
      };
    }),
    packages: [...packages.entries()]
      .map(([pkg, { group, us }]) => ({
        package: pkg,
        group,
        ms: us / 1000,
        usPerRequest: perRequest(us),
      }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15),
    inclusive: [...inclusive.values()]
      .map(({ us, ...frame }) => ({ ...frame, usPerRequest: perRequest(us) }))
      .sort((a, b) => b.usPerRequest - a.usPerRequest)
      .slice(0, 30),
    top: [...functions.values()]
      .map((f) => ({ ...f, usPerRequest: perRequest(f.selfMs * 1000) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 25),
  };
}

const n = (value: number, digits = 1) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function summaryMarkdown(
  summary: ProfileSummary,
  context: { title: string; rps: number; file: string },
): string {
  const perRequest = (ms: number) => n((ms * 1000) / Math.max(1, summary.requests));
  return [
    `### CPU profile: ${context.title}`,
    '',
    `${summary.requests.toLocaleString('en-US')} requests at ${Math.round(context.rps).toLocaleString('en-US')}/s under the profiler. ` +
      `Process CPU (every thread, /proc): ${perRequest(summary.processCpuMs)} µs per request; ` +
      `main thread sampled busy: ${perRequest(summary.busyMs)} µs per request, idle ${n(summary.idleMs, 0)} ms. ` +
      'The difference is work off the main thread: libuv’s pool (WebCrypto’s RSA), V8’s helper threads. ' +
      `Profile: \`${context.file}\`.`,
    '',
    '| group | µs per request | share of the main thread |',
    '| --- | ---: | ---: |',
    ...summary.groups.map(
      (g) => `| ${g.group} | ${n(g.usPerRequest)} | ${Math.round(g.share * 100)}% |`,
    ),
    '',
    '| package | group | µs per request |',
    '| --- | --- | ---: |',
    ...summary.packages.map((p) => `| ${p.package} | ${p.group} | ${n(p.usPerRequest)} |`),
    '',
    '| this project’s function, or what it calls (inclusive) | where | group | µs per request |',
    '| --- | --- | --- | ---: |',
    ...summary.inclusive.map(
      (f) => `| ${f.name} | ${f.location} | ${f.group} | ${n(f.usPerRequest, 2)} |`,
    ),
    '',
    '| function (self time) | where | group | µs per request |',
    '| --- | --- | --- | ---: |',
    ...summary.top.map(
      (f) => `| ${f.name} | ${f.location} | ${f.group} | ${n(f.usPerRequest, 2)} |`,
    ),
    '',
  ].join('\n');
}
