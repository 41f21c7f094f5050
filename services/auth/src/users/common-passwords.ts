import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The list shipped with the service (see `data/README.md` for its source and licence). */
export const COMMON_PASSWORDS_FILE = resolve(__dirname, '../../data/common-passwords.txt');

/**
 * Passwords too common to accept (OWASP ASVS 6.2.4, NIST SP 800-63B): read
 * once at start into a Set, so a check is one hash lookup. The comparison is
 * on the NFKC form, case-insensitively: `PASSWORD1` and `Ｐａｓｓｗｏｒｄ1` are
 * as guessable as `password1`.
 */
export class CommonPasswords {
  readonly #list: ReadonlySet<string>;

  private constructor(list: ReadonlySet<string>) {
    this.#list = list;
  }

  /** Loads the list; a missing or empty file stops the start rather than silently allowing every password. */
  static async load(file: string = COMMON_PASSWORDS_FILE): Promise<CommonPasswords> {
    const text = await readFile(file, 'utf8');
    const list = new Set<string>();
    for (const line of text.split('\n')) {
      const entry = line.replace(/\r$/, '');
      if (entry !== '') list.add(fold(entry));
    }
    if (list.size === 0) throw new Error(`the common-password list ${file} is empty`);
    return new CommonPasswords(list);
  }

  get size(): number {
    return this.#list.size;
  }

  /** Whether `password` (raw or NFKC) is on the list, ignoring case. */
  has(password: string): boolean {
    return this.#list.has(fold(password));
  }
}

function fold(password: string): string {
  return password.normalize('NFKC').toLowerCase();
}
