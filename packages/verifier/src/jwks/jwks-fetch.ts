import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseJwkSet } from '@authpair/contracts';
import { readCapped } from '../read-capped';
import type { JwksSettings } from './jwks-settings';

/** Bytes of JWKS response read at most; a real set of a few keys is a few KB. */
const MAX_RESPONSE_BYTES = 512 * 1024;

/** Why a JWKS fetch failed, as a metric label: bounded, never the message. */
export type JwksFailureReason =
  | 'timeout'
  | 'network'
  | 'http_status'
  | 'too_large'
  | 'not_json'
  | 'invalid_document'
  | 'no_usable_key';

/** A fetch that did not yield a usable key set. */
export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
  constructor(
    readonly reason: JwksFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface DownloadedJwks {
  keys: Map<string, KeyObject>;
  ttlSeconds: number;
}

/** What a refused connection, a reset or a timeout looks like through fetch. */
function transportError(error: unknown): JwksFetchError {
  if (error instanceof JwksFetchError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new JwksFetchError('timeout', 'JWKS endpoint did not answer in time', { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new JwksFetchError('network', `JWKS endpoint unreachable: ${detail}`, { cause: error });
}

/**
 * Fetches and parses the key set, the whole exchange (headers and body)
 * bounded by `timeoutMs`; throws JwksFetchError saying why it is unusable.
 */
export async function downloadJwks(
  fetchImpl: typeof fetch,
  options: JwksSettings,
): Promise<DownloadedJwks> {
  let text: string;
  let cacheControl: string | null;
  try {
    const response = await fetchImpl(options.url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new JwksFetchError('http_status', `JWKS endpoint answered ${response.status}`);
    }
    text = await readCapped(
      response,
      MAX_RESPONSE_BYTES,
      () => new JwksFetchError('too_large', 'JWKS response is too large'),
    );
    cacheControl = response.headers.get('cache-control');
  } catch (error) {
    throw transportError(error);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new JwksFetchError('not_json', 'JWKS response is not JSON');
  }
  let parsed: ReturnType<typeof parseJwkSet>;
  try {
    parsed = parseJwkSet(document);
  } catch (error) {
    throw new JwksFetchError('invalid_document', 'JWKS response is not a key set', {
      cause: error,
    });
  }
  if (parsed.keys.length === 0)
    throw new JwksFetchError('no_usable_key', 'JWKS response has no usable RS256 key');
  const keys = new Map<string, KeyObject>();
  try {
    for (const jwk of parsed.keys) {
      keys.set(
        jwk.kid,
        createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }),
      );
    }
  } catch (error) {
    throw new JwksFetchError('invalid_document', 'JWKS response holds an unusable key', {
      cause: error,
    });
  }
  return { keys, ttlSeconds: ttlFrom(cacheControl, options) };
}

/** The response's max-age within [minTtl, maxTtl]; `no-store`/`no-cache` mean the least. */
function ttlFrom(cacheControl: string | null, options: JwksSettings): number {
  const { defaultTtl, minTtl, maxTtl } = options;
  if (cacheControl === null) return defaultTtl;
  if (/\b(no-store|no-cache)\b/i.test(cacheControl)) return minTtl;
  const match = /\bmax-age=(\d+)\b/i.exec(cacheControl);
  if (match === null) return defaultTtl;
  return Math.min(maxTtl, Math.max(minTtl, Number(match[1])));
}
