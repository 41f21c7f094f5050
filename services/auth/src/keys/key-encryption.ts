import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PUBLIC_SECRETS } from '@authpair/service-kit';

/** AES-256-GCM: a 32-byte key, a 96-bit IV (NIST SP 800-38D §8.2), a 128-bit tag. */
const CIPHER = 'aes-256-gcm';
const KEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const KEK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A private key as stored: sealed under the KEK named by `kekId`. */
export interface SealedKey {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  kekId: string;
}

/** A sealed key cannot be opened: unknown KEK, or the ciphertext, tag or kid do not match. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

/**
 * Binds a ciphertext to its row: the kid is authenticated with it, so a
 * ciphertext copied onto another key's row fails to open instead of
 * silently signing under the wrong kid.
 */
function additionalData(kid: string): Buffer {
  return Buffer.from(`authpair:signing-key:v1:${kid}`, 'utf8');
}

/**
 * The key-encryption keys from `KEY_ENCRYPTION_KEYS`: the first wraps new
 * keys, every one of them opens existing keys, so a KEK can be rotated
 * without a flag day. The key bytes are private fields: they never show in
 * a log line, `JSON.stringify` or `util.inspect`.
 */
export class KeyEncryptionKeys {
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** The id of the KEK that seals new keys. */
  readonly currentId: string;

  constructor(entries: ReadonlyArray<readonly [id: string, key: Buffer]>) {
    const first = entries[0];
    if (first === undefined) throw new Error('at least one key-encryption key is required');
    this.currentId = first[0];
    this.#keys = new Map(entries.map(([id, key]) => [id, Buffer.from(key)]));
  }

  /** Ids of every configured KEK, current first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /**
   * Whether the KEK `id` is one published in this repository (the compose
   * file's `local-only`, under whatever id): what it sealed is open to
   * anyone holding a copy of the database.
   */
  isPublic(id: string): boolean {
    const key = this.#keys.get(id);
    return (
      key !== undefined &&
      PUBLIC_SECRETS.keyEncryptionKeys.some((known) => Buffer.from(known, 'base64').equals(key))
    );
  }

  /** Seals `plaintext` (a PKCS#8 DER private key) for the row of `kid` under the current KEK. */
  seal(kid: string, plaintext: Buffer): SealedKey {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.#key(this.currentId), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(additionalData(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { ciphertext, iv, tag: cipher.getAuthTag(), kekId: this.currentId };
  }

  /** Opens the sealed private key of `kid`; throws KeyDecryptionError when it cannot. */
  open(kid: string, sealed: SealedKey): Buffer {
    if (!this.#keys.has(sealed.kekId))
      throw new KeyDecryptionError(
        `signing key ${kid} is sealed with key-encryption key "${sealed.kekId}", which KEY_ENCRYPTION_KEYS does not list`,
      );
    try {
      const decipher = createDecipheriv(CIPHER, this.#key(sealed.kekId), sealed.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(kid));
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch (error) {
      throw new KeyDecryptionError(
        `signing key ${kid} does not open with key-encryption key "${sealed.kekId}" (wrong key, or the row was altered)`,
        { cause: error },
      );
    }
  }

  toJSON(): { current: string; ids: string[] } {
    return { current: this.currentId, ids: this.ids };
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (key === undefined) throw new KeyDecryptionError(`no key-encryption key "${id}"`);
    return key;
  }
}

/**
 * Parses `KEY_ENCRYPTION_KEYS`: comma-separated `id:base64` entries, each
 * key exactly 32 random bytes (`openssl rand -base64 32`). Returns the
 * reasons it is unusable, never echoing key material.
 */
export function parseKeyEncryptionKeys(value: string): KeyEncryptionKeys | string[] {
  const problems: string[] = [];
  const entries: Array<[string, Buffer]> = [];
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return ['must list at least one id:base64 key'];
  items.forEach((item, index) => {
    const where = `entry ${index + 1}`;
    const colon = item.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} must be id:base64-key`);
      return;
    }
    const id = item.slice(0, colon);
    const encoded = item.slice(colon + 1);
    if (!KEK_ID.test(id)) {
      problems.push(`${where} has an invalid id (letters, digits, . _ -; at most 32)`);
      return;
    }
    if (entries.some(([seen]) => seen === id)) {
      problems.push(`${where} repeats the id "${id}"`);
      return;
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEK_BYTES) {
      problems.push(`${where} ("${id}") must be ${KEK_BYTES} bytes in base64`);
      return;
    }
    entries.push([id, key]);
  });
  return problems.length > 0 ? problems : new KeyEncryptionKeys(entries);
}
