import { inspect } from 'node:util';
import { type KeyEncryptionKeys, parseKeyEncryptionKeys } from '@authpair/auth';
import { KeyDecryptionError } from '../../../services/auth/src/keys/key-encryption';

const b64 = (fill: number, length = 32) => Buffer.alloc(length, fill).toString('base64');

function keks(value: string): KeyEncryptionKeys {
  const parsed = parseKeyEncryptionKeys(value);
  if (Array.isArray(parsed)) throw new Error(parsed.join('; '));
  return parsed;
}

const secret = Buffer.from('a PKCS#8 private key, in DER');

describe('KEY_ENCRYPTION_KEYS', () => {
  it('takes id:base64 entries, the first sealing new keys', () => {
    const parsed = keks(`kek2:${b64(2)}, kek1:${b64(1)}`);
    expect(parsed.currentId).toBe('kek2');
    expect(parsed.ids).toEqual(['kek2', 'kek1']);
  });

  it.each([
    ['', ['must list at least one id:base64 key']],
    [`${b64(1)}`, ['entry 1 must be id:base64-key']],
    [`kek1:${b64(1, 16)}`, ['entry 1 ("kek1") must be 32 bytes in base64']],
    [`kek1:not base64!`, ['entry 1 ("kek1") must be 32 bytes in base64']],
    [`bad id:${b64(1)}`, ['entry 1 has an invalid id (letters, digits, . _ -; at most 32)']],
    [`a:${b64(1)},a:${b64(2)}`, ['entry 2 repeats the id "a"']],
  ])('refuses %j, saying why without echoing the key', (value, problems) => {
    expect(parseKeyEncryptionKeys(value)).toEqual(problems);
  });

  it('never shows key bytes in JSON or inspect output', () => {
    const parsed = keks(`kek1:${b64(7)}`);
    const shown = `${JSON.stringify(parsed)} ${inspect(parsed, { showHidden: true, depth: 5 })}`;
    expect(shown).not.toContain(b64(7));
    expect(shown).not.toContain(Buffer.alloc(32, 7).toString('hex'));
    expect(JSON.stringify(parsed)).toBe('{"current":"kek1","ids":["kek1"]}');
  });
});

describe('sealing signing keys (AES-256-GCM)', () => {
  it('opens what it sealed, with a fresh IV each time', () => {
    const kek = keks(`kek1:${b64(1)}`);
    const first = kek.seal('kid-a', secret);
    const second = kek.seal('kid-a', secret);
    expect(first.kekId).toBe('kek1');
    expect(first.iv).toHaveLength(12);
    expect(first.tag).toHaveLength(16);
    expect(first.iv.equals(second.iv)).toBe(false);
    expect(first.ciphertext.includes(secret)).toBe(false);
    expect(kek.open('kid-a', first)).toEqual(secret);
  });

  it('refuses a ciphertext moved to another kid (the kid is authenticated)', () => {
    const kek = keks(`kek1:${b64(1)}`);
    const sealed = kek.seal('kid-a', secret);
    expect(() => kek.open('kid-b', sealed)).toThrow(KeyDecryptionError);
  });

  it('refuses a ciphertext or tag altered by one bit', () => {
    const kek = keks(`kek1:${b64(1)}`);
    const sealed = kek.seal('kid-a', secret);
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => kek.open('kid-a', { ...sealed, ciphertext: flipped })).toThrow(KeyDecryptionError);
    const tag = Buffer.from(sealed.tag);
    tag[15] = (tag[15] as number) ^ 1;
    expect(() => kek.open('kid-a', { ...sealed, tag })).toThrow(KeyDecryptionError);
  });

  it('opens keys sealed under an older KEK still listed, and names a KEK no longer listed', () => {
    const before = keks(`kek1:${b64(1)}`);
    const sealed = before.seal('kid-a', secret);
    const rotated = keks(`kek2:${b64(2)},kek1:${b64(1)}`);
    expect(rotated.open('kid-a', sealed)).toEqual(secret);
    expect(rotated.seal('kid-a', secret).kekId).toBe('kek2');
    const dropped = keks(`kek2:${b64(2)}`);
    expect(() => dropped.open('kid-a', sealed)).toThrow(
      'signing key kid-a is sealed with key-encryption key "kek1", which KEY_ENCRYPTION_KEYS does not list',
    );
  });

  it('refuses a KEK with the right id but the wrong bytes', () => {
    const sealed = keks(`kek1:${b64(1)}`).seal('kid-a', secret);
    expect(() => keks(`kek1:${b64(9)}`).open('kid-a', sealed)).toThrow(/does not open/);
  });
});
