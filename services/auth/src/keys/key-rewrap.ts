import type { KeyEncryptionKeys } from './key-encryption';
import type { KeyQueries, KeyState } from './key-queries';
import { KeyStepRefused } from './key-rules';

/** A key left sealed under a public KEK: it must be rotated out, never re-sealed. */
export interface KeyUnderPublicKek {
  kid: string;
  state: KeyState;
  kekId: string;
}

export interface Reseal {
  /** The kids re-sealed under the current KEK, each with the KEK it was sealed under. */
  resealed: Array<{ kid: string; from: string }>;
  /** Keys sealed under a public KEK, left as they are. */
  underPublicKek: KeyUnderPublicKek[];
}

/**
 * Re-seals under the current KEK every key sealed under another one;
 * throws (and the transaction rolls back) when one does not open.
 * Run under the key lock.
 *
 * Only what already opens under a configured KEK, with its own kid as the
 * additional data, is re-sealed, under that same kid. A key sealed under a
 * public KEK (the compose file's) is never carried over: anyone who could
 * write to signing_keys while that KEK was listed could have sealed a key
 * of their own under it, and re-sealing would make it trusted under the
 * operator's KEK for good. Such keys are returned, to be rotated out.
 */
export async function resealUnderCurrentKek(
  keys: KeyQueries,
  encryption: KeyEncryptionKeys,
): Promise<Reseal> {
  if (encryption.isPublic(encryption.currentId))
    throw new KeyStepRefused(
      `the current key-encryption key "${encryption.currentId}" is published in this repository; put a KEK of your own first in KEY_ENCRYPTION_KEYS`,
    );
  const stale = await keys.sealedUnderOtherKek(encryption.currentId);
  const carried = stale.filter(({ sealed }) => !encryption.isPublic(sealed.kekId));
  for (const { kid, sealed } of carried) {
    const der = encryption.open(kid, sealed);
    await keys.storeSealed(kid, encryption.seal(kid, der));
    der.fill(0);
  }
  const all = await keys.all();
  return {
    resealed: carried.map(({ kid, sealed }) => ({ kid, from: sealed.kekId })),
    underPublicKek: all.flatMap((key) =>
      key.kekId !== null && key.state !== 'retired' && encryption.isPublic(key.kekId)
        ? [{ kid: key.kid, state: key.state, kekId: key.kekId }]
        : [],
    ),
  };
}
