import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { PRIVATE_JWK_MEMBERS, type RsaPublicJwk, rsaPublicJwkSchema } from '@authpair/contracts';
import { calculateJwkThumbprint } from 'jose';
import type { KeyEncryptionKeys } from './key-encryption';
import type { PublishedKey } from './key-queries';

/** A stored signing key that failed verification: it is neither published nor used to sign. */
export class UntrustedKeyError extends Error {
  override readonly name = 'UntrustedKeyError';
}

/** A stored key that proved to be what its row says. */
export interface VerifiedKey {
  /** The public key as published: rebuilt from its checked members, nothing else from the row. */
  publicJwk: RsaPublicJwk;
  privateKey: KeyObject;
}

/**
 * Checks a row of signing_keys with what write access to the table alone
 * cannot forge. The kid must be the RFC 7638 thumbprint of the public key
 * (so it names exactly one key); the sealed private key must open under
 * the kid as additional data, with a configured KEK; and it must be the
 * private half of that public key. A row inserted or edited by someone
 * without the KEK fails one of these, however it was made. Throws
 * UntrustedKeyError (or KeyDecryptionError) saying which.
 */
export async function verifyStoredKey(
  key: PublishedKey,
  encryption: KeyEncryptionKeys,
): Promise<VerifiedKey> {
  const untrusted = (why: string) => new UntrustedKeyError(`signing key ${key.kid} ${why}`);
  const stored: unknown = key.publicJwk;
  if (
    typeof stored === 'object' &&
    stored !== null &&
    PRIVATE_JWK_MEMBERS.some((member) => member in stored)
  )
    throw untrusted('has private members in its public JWK');
  const parsed = rsaPublicJwkSchema.safeParse(stored);
  if (!parsed.success) throw untrusted('has a public JWK that is not an RS256 public key');
  const publicJwk = parsed.data;
  const thumbprint = await calculateJwkThumbprint({ kty: 'RSA', n: publicJwk.n, e: publicJwk.e });
  if (publicJwk.kid !== key.kid || thumbprint !== key.kid)
    throw untrusted('is not named by the RFC 7638 thumbprint of its public key');
  if (key.sealed === null) throw untrusted('has no private key');
  const der = encryption.open(key.kid, key.sealed);
  try {
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
    if (n !== publicJwk.n || e !== publicJwk.e)
      throw untrusted('has a private key that is not the private half of its public key');
    return { publicJwk, privateKey };
  } catch (error) {
    if (error instanceof UntrustedKeyError) throw error;
    throw untrusted('has a private key that does not parse');
  } finally {
    der.fill(0);
  }
}

/** What verification depends on in a row: when any of it changes, the row is verified again. */
export function storedKeyFingerprint(key: PublishedKey): string {
  const hash = createHash('sha256').update(key.kid).update('\0');
  hash.update(JSON.stringify(key.publicJwk)).update('\0');
  if (key.sealed !== null)
    for (const part of [key.sealed.kekId, key.sealed.iv, key.sealed.tag, key.sealed.ciphertext])
      hash.update(part).update('\0');
  return hash.digest('base64url');
}
