import { Agent, request as httpRequest } from 'node:http';

/** A request exactly as the fuzzer sends it: any method, raw path, raw body bytes. */
export interface RawRequest {
  method: string;
  /** Path and query, already encoded as they go on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

// Keep-alive, as real clients connect; a response with `Connection: close` ends its socket.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request; resolves with the answer, rejects only when none came (reset, timeout). */
export function send(baseUrl: string, raw: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      `${baseUrl}${raw.path}`,
      { method: raw.method, headers: raw.headers, agent, timeout: timeoutMs },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({
            status: res.statusCode ?? 0,
            headers,
            text: Buffer.concat(parts).toString('utf8'),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer (413) and close before the whole body is written: that is an answer.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(raw.body);
  });
}

/** Closes the kept-alive sockets (after the run, so jest can exit). */
export function closeConnections(): void {
  agent.destroy();
}
