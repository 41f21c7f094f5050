import { createPrivateKey } from 'node:crypto';
import type { KeyEncryptionKeys } from './key-encryption';
import type { KeyQueries } from './key-queries';

/**
 * Seals the private keys stored in plaintext before encryption at rest
 * (migration 0004) and clears the plaintext; a retired key's private half
 * is erased instead. Returns the kids it changed. Run under the key lock.
 */
export async function sealPlaintextKeys(
  keys: KeyQueries,
  encryption: KeyEncryptionKeys,
): Promise<string[]> {
  const plaintext = await keys.plaintextKeys();
  for (const { kid, state, pem } of plaintext) {
    if (state === 'retired') {
      await keys.retire(kid);
      continue;
    }
    const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
    await keys.storeSealed(kid, encryption.seal(kid, der));
    der.fill(0);
  }
  return plaintext.map(({ kid }) => kid);
}

/**
 * Re-seals under the current KEK every key sealed under another one;
 * throws (and the transaction rolls back) when one does not open.
 * Returns the kids it re-sealed. Run under the key lock.
 */
export async function resealUnderCurrentKek(
  keys: KeyQueries,
  encryption: KeyEncryptionKeys,
): Promise<string[]> {
  const stale = await keys.sealedUnderOtherKek(encryption.currentId);
  for (const { kid, sealed } of stale) {
    const der = encryption.open(kid, sealed);
    await keys.storeSealed(kid, encryption.seal(kid, der));
    der.fill(0);
  }
  return stale.map(({ kid }) => kid);
}
