import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import { TEST_AUDIENCE, TEST_FEED_TOKEN, TEST_ISSUER } from './services';

/** How the test JWKS endpoint answers; tests switch it to simulate an issuer in trouble. */
export type JwksBehaviour =
  | { kind: 'ok'; maxAge?: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'html' }
  | { kind: 'json'; body: unknown }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'reset' }
  /**
   * A 200 JSON body, chunked with no length, that never ends: ENDLESS_BYTES
   * of it as fast as the client reads, then nothing more (so a client that
   * buffers it all waits for its timeout, not for its memory). `streamed`
   * counts it.
   */
  | { kind: 'endless' };

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/** What the `endless` behaviour sends at most before it stalls. */
export const ENDLESS_BYTES = 32 * 1024 * 1024;

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function generateTestKey(bits = 2048, kid: string = randomUUID()): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    kid,
    privateKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

/**
 * A stand-in issuer for attacking the resource service: it publishes a JWKS
 * over real HTTP on loopback (its behaviour switchable: down, slow, HTML,
 * `{}`...), counts the fetches it receives, and mints tokens with any header
 * and claims, signed RS256 by its key, so each check of the verifier can be
 * hit in isolation.
 */
export class TestIssuer {
  readonly keys: TestKey[];
  behaviour: JwksBehaviour = { kind: 'ok', maxAge: 300 };
  /** Every request the JWKS server received, by path (the revocation feed's are counted apart). */
  readonly requests: string[] = [];
  /** For `endless`: body bytes written, and whether the client went away. */
  readonly streamed = { bytes: 0, closedByClient: false };
  /**
   * The sessions its revocation feed publishes (the resource service reads
   * it beside the JWKS, and refuses every token while it cannot); `up`
   * false makes the feed answer 503.
   */
  readonly feed = { up: true, revoked: [] as string[], reads: 0 };
  #server: Server | undefined;
  #sockets = new Set<import('node:net').Socket>();

  constructor(keys: TestKey[] = [generateTestKey()]) {
    this.keys = keys;
  }

  get key(): TestKey {
    return this.keys[0] as TestKey;
  }

  get jwksFetches(): number {
    return this.requests.filter((path) => path === '/jwks').length;
  }

  url = '';

  /** Listens on loopback: a free port, or `port` to come back up where it was after stop(). */
  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => this.#answer(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  get jwksUrl(): string {
    return `${this.url}/jwks`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }

  /** Claims a valid access token carries, for this issuer and the test audience. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: TEST_ISSUER,
      sub: randomUUID(),
      aud: TEST_AUDIENCE,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      client_id: 'authpair',
      username: 'mallory',
      sid: randomUUID(),
      ...overrides,
    };
  }

  /**
   * A compact JWS. `header` and `claims` are merged over valid defaults;
   * a value of `undefined` removes that member. Signed RS256 with `key`
   * unless `sign` is false (then the signature is empty) or a function
   * (then its result is the signature, for forging other algorithms).
   */
  mint(
    options: {
      header?: Record<string, unknown>;
      claims?: Record<string, unknown>;
      key?: TestKey;
      sign?: boolean | ((signingInput: string) => Buffer);
    } = {},
  ): string {
    const key = options.key ?? this.key;
    const header = strip({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...options.header });
    const claims = strip(this.claims(options.claims));
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    if (options.sign === false) return `${input}.`;
    if (typeof options.sign === 'function') return `${input}.${b64url(options.sign(input))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey);
    return `${input}.${b64url(signature)}`;
  }

  #streamForever(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.once('close', () => {
      this.streamed.closedByClient = true;
    });
    const chunk = Buffer.alloc(16 * 1024, ' '); // JSON whitespace: parses fine, whatever its length
    const write = () => {
      while (!res.destroyed && this.streamed.bytes < ENDLESS_BYTES) {
        this.streamed.bytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
    };
    res.write('{"keys":[');
    write();
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    if (req.url?.startsWith(REVOCATION_FEED_PATH)) {
      this.#answerFeed(req, res);
      return;
    }
    this.requests.push(req.url ?? '');
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'ok':
        res.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': `public, max-age=${behaviour.maxAge ?? 300}`,
        });
        res.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
        return;
      case 'status':
        res
          .writeHead(behaviour.status, { 'content-type': 'text/plain' })
          .end(behaviour.body ?? 'error');
        return;
      case 'html':
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>Maintenance</title>');
        return;
      case 'json':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(behaviour.body));
        return;
      case 'slow':
        setTimeout(() => {
          if (res.writableEnded || res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
        }, behaviour.delayMs).unref();
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'endless':
        this.#streamForever(res);
        return;
    }
  }

  #answerFeed(req: IncomingMessage, res: ServerResponse): void {
    this.feed.reads += 1;
    if (req.headers.authorization !== `Bearer ${TEST_FEED_TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    if (!this.feed.up) {
      res.writeHead(503).end();
      return;
    }
    const revokedAt = new Date().toISOString();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        revocations: this.feed.revoked.map((sid) => ({
          sid,
          revoked_at: revokedAt,
          reason: 'logout',
        })),
        cursor: '0',
        has_more: false,
      }),
    );
  }
}

function strip(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
