import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Responses with a status other than the expected one, plus connection errors and timeouts. */
  failures: number;
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
  instance.on('response', (_client: unknown, statusCode: number) => {
    if (statusCode !== expected) unexpected += 1;
  });
  const result = await done;
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: unexpected + result.errors + result.timeouts,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
