import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Draining } from './draining';

/** Node answers 431 itself when the request's headers exceed this (RFC 6585 §5). */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface ListenOptions {
  port: number;
  host: string;
  /** Once it begins, every response closes its connection: keep-alive clients move to another instance. */
  draining?: Draining | undefined;
}

/** A listening HTTP server and a graceful way to stop it. */
export interface RunningServer {
  server: Server;
  port: number;
  /** `http://<host>:<port>`, for tests and logs. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish, and after
   * `graceMs` cuts whatever is still open. Resolves when the server is
   * closed: as soon as the last request in flight is answered, keep-alive
   * clients included (each of their connections is closed once its
   * response is done).
   */
  close(graceMs?: number): Promise<void>;
}

export async function listen(
  handler: RequestListener,
  { port, host, draining }: ListenOptions,
): Promise<RunningServer> {
  // Responses not yet finished, so a stop can tell their clients not to reuse the connection.
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      // Slow-loris bounds: the whole request within 30 s, its headers within 10 s.
      requestTimeout: 30_000,
      headersTimeout: 10_000,
    },
    function trackInFlight(req, res) {
      inFlight.add(res);
      // One listener for every response (`this` is the response): no closure per request.
      res.once('close', untrack);
      if (stopping || draining?.reason !== undefined) refuseKeepAlive(res);
      handler(req, res);
    },
  );
  function untrack(this: ServerResponse): void {
    inFlight.delete(this);
    // Its connection is idle now; while stopping it must not wait for another request.
    if (stopping) setImmediate(() => server.closeIdleConnections());
  }
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
        stopping = true;
        for (const res of inFlight) refuseKeepAlive(res);
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

/**
 * Tells the client of a response not yet started that the connection closes
 * after it (Node then ends the socket once the response is sent). A
 * response whose headers are out, or whose handler drops the header, is
 * covered by closing idle connections as each response finishes.
 */
function refuseKeepAlive(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
