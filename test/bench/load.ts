import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Responses with a status other than the expected one, plus connection errors and timeouts. */
  failures: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  /** Headers for every request. */
  headers?: Record<string, string>;
  /** A body for every request, or a function giving the n-th request's body. */
  body?: string | ((n: number) => string);
  /** A header set per request, e.g. a different token each time. */
  headersFor?: (n: number) => Record<string, string>;
  expectStatus?: number;
  /** Seconds before autocannon gives a request up (its default is 10). */
  timeoutSeconds?: number;
  /** Requests per second per connection, for a probe rather than a load. */
  connectionRate?: number;
}

/** One autocannon run; failures counts everything that was not the expected status. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const expected = options.expectStatus ?? 200;
  let n = 0;
  let unexpected = 0;
  const dynamic = typeof options.body === 'function' || options.headersFor !== undefined;

  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds }),
      ...(options.connectionRate === undefined ? {} : { connectionRate: options.connectionRate }),
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(typeof options.body === 'string' ? { body: options.body } : {}),
      ...(dynamic
        ? {
            requests: [
              {
                setupRequest: (request: autocannon.Request) => {
                  n += 1;
                  const next = { ...request };
                  if (options.headersFor)
                    next.headers = { ...request.headers, ...options.headersFor(n) };
                  if (typeof options.body === 'function') next.body = options.body(n);
                  return next;
                },
              },
            ],
          }
        : {}),
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  const statuses: Record<string, number> = {};
  instance.on('response', (_client: unknown, statusCode: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode !== expected) unexpected += 1;
  });
  const result = await done;
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: unexpected + result.errors + result.timeouts,
    statuses,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface ChainOptions {
  url: string;
  /** Content type of every request body. */
  contentType: string;
  /** One chain per connection: its current state (a refresh token), updated in place. */
  chains: string[];
  body: (state: string) => string;
  /** The next state, read from a 200 response's body. */
  next: (responseBody: string) => string;
  durationSeconds: number;
}

/**
 * A closed loop per chain, each request carrying what the previous answer
 * gave (a client rotating its refresh token). autocannon cannot do this: it
 * resets a connection's context before every request when the request list
 * has one entry. A chain whose request failed stops, and counts a failure.
 */
export async function runChains(options: ChainOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.chains.length });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  const deadline = performance.now() + options.durationSeconds * 1000;
  const target = new URL(options.url);
  const send = (body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': options.contentType,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    options.chains.map(async (_, index) => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        try {
          const response = await send(options.body(options.chains[index] as string));
          latencies.push(performance.now() - sentAt);
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          if (response.status !== 200) {
            failures += 1;
            return;
          }
          options.chains[index] = options.next(response.body);
        } catch {
          failures += 1;
          return;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return summarize(latencies, elapsed, failures, statuses);
}

/**
 * A health-check probe: one GET every `intervalMs` on a keep-alive
 * connection, as a load balancer sends them, timing each answer.
 */
export async function runProbe(
  url: string,
  intervalMs: number,
  durationSeconds: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  const deadline = performance.now() + durationSeconds * 1000;
  while (performance.now() < deadline) {
    const sentAt = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = httpRequest(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    latencies.push(performance.now() - sentAt);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== 200) failures += 1;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - sentAt))),
    );
  }
  agent.destroy();
  return summarize(latencies, durationSeconds, failures, statuses);
}

/** A LoadResult from the latencies (ms) a client of our own recorded over `seconds`. */
function summarize(
  latencies: number[],
  seconds: number,
  failures: number,
  statuses: Record<string, number>,
): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    requests: sorted.length,
    rps: sorted.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    failures,
    statuses,
  };
}
