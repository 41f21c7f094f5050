/** Controls and the like never reach the database (PostgreSQL refuses NUL in text). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * Request-supplied text (a client address from a proxy header, a
 * `User-Agent`) made safe to store: control and format characters removed,
 * cut at `max` characters; null when nothing is left.
 */
export function printable(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const kept = value.replace(UNPRINTABLE, '').slice(0, max);
  return kept === '' ? null : kept;
}
