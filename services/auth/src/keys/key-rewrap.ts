import type { KeyEncryptionKeys } from './key-encryption';
import type { KeyQueries } from './key-queries';

/**
 * Re-seals under the current KEK every key sealed under another one;
 * throws (and the transaction rolls back) when one does not open.
 * Returns the kids it re-sealed, each with the KEK it was sealed under.
 * Run under the key lock.
 *
 * Only what already opens under a configured KEK, with its own kid as the
 * additional data, is re-sealed, under that same kid: nothing here turns a
 * private key written into the table by someone else into a sealed one.
 */
export async function resealUnderCurrentKek(
  keys: KeyQueries,
  encryption: KeyEncryptionKeys,
): Promise<Array<{ kid: string; from: string }>> {
  const stale = await keys.sealedUnderOtherKek(encryption.currentId);
  for (const { kid, sealed } of stale) {
    const der = encryption.open(kid, sealed);
    await keys.storeSealed(kid, encryption.seal(kid, der));
    der.fill(0);
  }
  return stale.map(({ kid, sealed }) => ({ kid, from: sealed.kekId }));
}
