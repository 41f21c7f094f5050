import { generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { RsaPublicJwk } from '@authpair/contracts';
import { calculateJwkThumbprint } from 'jose';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface GeneratedKey {
  kid: string;
  publicJwk: RsaPublicJwk;
  privateKey: KeyObject;
  /** PKCS#8 DER: what is sealed and stored. */
  privateKeyDer: Buffer;
}

/**
 * A new RSA key for RS256. Generation runs on libuv's thread pool, not the
 * event loop. The kid is the RFC 7638 thumbprint, so it is derived from the
 * key itself and can never name two different keys.
 */
export async function generateSigningKey(modulusLength: number): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', {
    modulusLength,
    publicExponent: 0x10001,
  });
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string')
    throw new Error('RSA key export lacks n or e');
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e }, 'sha256');
  return {
    kid,
    publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e },
    privateKey,
    privateKeyDer: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}
