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
  readonly #file: string;
  #list: ReadonlySet<string> | undefined;

  /** An unread list: the wiring hands it to the routes, and the start reads it (`read()`). */
  constructor(file: string = COMMON_PASSWORDS_FILE) {
    this.#file = file;
  }

  /** Reads a list and returns it (auth-admin, tests). */
  static async load(file: string = COMMON_PASSWORDS_FILE): Promise<CommonPasswords> {
    const passwords = new CommonPasswords(file);
    await passwords.read();
    return passwords;
  }

  /** Reads the file; a missing or empty file stops the start rather than silently allowing every password. */
  async read(): Promise<void> {
    const text = await readFile(this.#file, 'utf8');
    const list = new Set<string>();
    for (const line of text.split('\n')) {
      const entry = line.replace(/\r$/, '');
      if (entry !== '') list.add(fold(entry));
    }
    if (list.size === 0) throw new Error(`the common-password list ${this.#file} is empty`);
    this.#list = list;
  }

  get size(): number {
    return this.#loaded().size;
  }

  /** Whether `password` (raw or NFKC) is on the list, ignoring case. */
  has(password: string): boolean {
    return this.#loaded().has(fold(password));
  }

  /** An unread list must not allow every password: a request before the start has finished is a bug. */
  #loaded(): ReadonlySet<string> {
    if (this.#list === undefined) throw new Error('the common-password list has not been read');
    return this.#list;
  }
}

function fold(password: string): string {
  return password.normalize('NFKC').toLowerCase();
}
