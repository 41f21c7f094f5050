import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AuthpairError } from '@authpair/contracts';
import { Piscina } from 'piscina';

/**
 * How a stored hash was made. Stored beside the hash so the scheme can
 * change without breaking existing passwords; `verify` knows every scheme
 * ever written, `hash` writes only the current one.
 *
 * - `bcrypt-hmac-sha256`: bcrypt over base64(HMAC-SHA-256(pepper, NFKC(password))).
 *   The pre-hash makes every password 44 bytes, so bcrypt's silent truncation
 *   at 72 bytes never applies (OWASP ASVS 6.2.8), and the pepper means a
 *   stolen table is useless without the server's secret.
 * - `bcrypt`: plain bcrypt of NFKC(password), for imported hashes. Refused
 *   for passwords over 72 bytes, because bcrypt would compare only a prefix.
 */
export type PasswordScheme = 'bcrypt-hmac-sha256' | 'bcrypt';

export const CURRENT_SCHEME: PasswordScheme = 'bcrypt-hmac-sha256';

/** bcrypt reads at most this many bytes of its input. */
const BCRYPT_MAX_BYTES = 72;

export interface StoredPassword {
  hash: string;
  scheme: string;
}

export interface PasswordHasherOptions {
  cost: number;
  pepper: string;
  /** Worker threads; defaults to the machine's cores. */
  threads?: number;
  /** Hashes allowed to wait for a thread; more are refused as overload. */
  maxQueue?: number;
  /** Told how long each hash or verification took, queueing included (for metrics). */
  observe?: (operation: 'hash' | 'verify', seconds: number) => void;
}

/** Thrown when the hashing queue is full: a 503, retried a second later. */
export class PasswordHasherBusyError extends AuthpairError<'service_unavailable'> {
  constructor(options?: ErrorOptions) {
    super('service_unavailable', 'the service is busy; retry later', {
      ...options,
      retryAfterSeconds: 1,
    });
  }
}

/**
 * Hashes and verifies passwords on a pool of worker threads, so a burst of
 * logins never blocks the event loop that serves everything else.
 */
export class PasswordHasher {
  readonly cost: number;
  readonly #pepper: string;
  readonly #threads: number;
  readonly #maxQueue: number;
  /** Created on first use (`prepare()` at start), so building a hasher starts no thread. */
  #pool: Piscina | undefined;
  readonly #observe: PasswordHasherOptions['observe'];
  #dummyHash: Promise<string> | undefined;

  constructor({
    cost,
    pepper,
    threads = availableParallelism(),
    maxQueue = 256,
    observe,
  }: PasswordHasherOptions) {
    this.cost = cost;
    this.#observe = observe;
    this.#pepper = pepper;
    this.#threads = threads;
    this.#maxQueue = maxQueue;
  }

  #workers(): Piscina {
    this.#pool ??= new Piscina({
      filename: join(__dirname, 'password-worker.js'),
      minThreads: this.#threads,
      maxThreads: this.#threads,
      maxQueue: this.#maxQueue,
      idleTimeout: 60_000,
    });
    return this.#pool;
  }

  async hash(password: string): Promise<StoredPassword> {
    const hash = await this.#run<string>({
      op: 'hash',
      secret: this.#prehash(password),
      cost: this.cost,
    });
    return { hash, scheme: CURRENT_SCHEME };
  }

  async verify(password: string, stored: StoredPassword): Promise<boolean> {
    switch (stored.scheme) {
      case 'bcrypt-hmac-sha256':
        return this.#run<boolean>({
          op: 'compare',
          secret: this.#prehash(password),
          hash: stored.hash,
        });
      case 'bcrypt': {
        const secret = password.normalize('NFKC');
        if (Buffer.byteLength(secret, 'utf8') > BCRYPT_MAX_BYTES) return false;
        return this.#run<boolean>({ op: 'compare', secret, hash: stored.hash });
      }
      default:
        throw new Error(`unknown password scheme ${stored.scheme}`);
    }
  }

  /**
   * Spends the same work as verifying a real password, for logins of unknown
   * users, so the response time does not reveal whether the user exists.
   */
  async verifyDummy(password: string): Promise<false> {
    await this.#run<boolean>({
      op: 'compare',
      secret: this.#prehash(password),
      hash: await this.#dummy(),
    });
    return false;
  }

  /**
   * Starts the worker threads and makes the dummy hash now, at start, so that the first login of an
   * unknown user does not pay for it and stand out by taking twice as long.
   */
  async prepare(): Promise<void> {
    await this.#dummy();
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.#run<string>({
      op: 'hash',
      secret: 'authpair-dummy',
      cost: this.cost,
    });
    return this.#dummyHash;
  }

  /** Whether a stored hash should be rewritten with the current scheme and cost after a successful login. */
  needsRehash(stored: StoredPassword): boolean {
    if (stored.scheme !== CURRENT_SCHEME) return true;
    const rounds = Number.parseInt(stored.hash.split('$')[2] ?? '', 10);
    return rounds !== this.cost;
  }

  async close(): Promise<void> {
    await this.#pool?.close();
  }

  #prehash(password: string): string {
    return createHmac('sha256', this.#pepper)
      .update(password.normalize('NFKC'), 'utf8')
      .digest('base64');
  }

  async #run<T>(task: {
    op: 'hash' | 'compare';
    secret: string;
    cost?: number;
    hash?: string;
  }): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      const result = (await this.#workers().run(task)) as T;
      this.#observe?.(
        task.op === 'hash' ? 'hash' : 'verify',
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      return result;
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message))
        throw new PasswordHasherBusyError({ cause: error });
      throw error;
    }
  }
}
