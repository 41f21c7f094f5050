import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of one service, which a test can take down or slow down. */
export interface ControllableProxy {
  readonly url: string;
  /** Every request that arrived, in order, and whether it reached the service. */
  readonly seen: ReadonlyArray<{ method: string; path: string; forwarded: boolean }>;
  /** From now on, every request's connection is reset before an answer (the service is unreachable). */
  down(): void;
  up(): void;
  /** Holds each request this long before forwarding it. */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<ControllableProxy> {
  let reachable = true;
  let delayMs = 0;
  const seen: Array<{ method: string; path: string; forwarded: boolean }> = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push({ method: request.method ?? 'GET', path, forwarded: reachable });
    if (!reachable) {
      request.socket.destroy();
      return;
    }
    setTimeout(() => {
      const upstream = httpRequest(
        new URL(path, target),
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    down: () => {
      reachable = false;
    },
    up: () => {
      reachable = true;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
