import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Node answers 431 itself when the request's headers exceed this (RFC 6585 §5). */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface ListenOptions {
  port: number;
  host: string;
}

/** A listening HTTP server and a graceful way to stop it. */
export interface RunningServer {
  server: Server;
  port: number;
  /** `http://<host>:<port>`, for tests and logs. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish, and after
   * `graceMs` cuts whatever is still open. Resolves when the server is closed.
   */
  close(graceMs?: number): Promise<void>;
}

export async function listen(
  handler: RequestListener,
  { port, host }: ListenOptions,
): Promise<RunningServer> {
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      // Slow-loris bounds: the whole request within 30 s, its headers within 10 s.
      requestTimeout: 30_000,
      headersTimeout: 10_000,
    },
    handler,
  );
  // Longer than common proxies' idle timeout, so the proxy closes first.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        // Keep-alive sockets with no request in flight would hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
