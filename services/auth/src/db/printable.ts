/** Controls and the like never reach the database (PostgreSQL refuses NUL in text). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * Request-supplied text (a client address from a proxy header, a
 * `User-Agent`) made safe to store: control and format characters removed,
 * cut to at most `maxBytes` bytes of UTF-8 on a character boundary; null
 * when nothing is left.
 *
 * Bytes, not characters: the columns' CHECKs count characters, and a
 * database created as SQL_ASCII (initdb's default under the C locale)
 * counts each byte as one. A `User-Agent` of 512 Latin-1 letters was a
 * 500 there; a byte bound satisfies the CHECK whatever the encoding.
 */
export function printable(value: string | null | undefined, maxBytes: number): string | null {
  if (value === null || value === undefined) return null;
  const kept = value.replace(UNPRINTABLE, '');
  let bytes = 0;
  let end = 0;
  for (const char of kept) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  const cut = kept.slice(0, end);
  return cut === '' ? null : cut;
}
