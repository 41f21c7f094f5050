import { COMMON_PASSWORD_REASON } from '@authpair/contracts';
import { GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { expectFieldErrors, expectProblem } from '../support/problems';
import { useServices } from '../support/services';

// The password and username policies, as an attacker or a careless user
// meets them over HTTP.

const fixture = useServices({ auth: { REGISTRATION_ADDRESS_MAX: '1000' } });

const register = (username: unknown, password: unknown) =>
  request(`${fixture.auth.url}/register`, { body: { username, password } });
const login = (username: unknown, password: unknown) =>
  request(`${fixture.auth.url}/login`, { body: { username, password } });

async function rowsNamed(canonical: string): Promise<number> {
  const { rowCount } = await fixture.auth.pool.query(
    'SELECT 1 FROM users WHERE username_canonical = $1',
    [canonical],
  );
  return rowCount ?? 0;
}

// SECURITY.md, hostile-input catalogue 17.
describe('password policy', () => {
  it.each([
    ['missing', undefined, 'is required'],
    ['empty', '', 'must not be empty or only whitespace'],
    ['whitespace only', ' \t\u3000 \u00a0   ', 'must not be empty or only whitespace'],
    ['too short', 'seven c', 'must be at least 8 characters'],
    [
      'too short in code points though long in bytes',
      '😀😀😀😀😀😀😀',
      'must be at least 8 characters',
    ],
    ['over 256 characters', 'x'.repeat(257), 'must be at most 256 characters'],
  ])('answers a password that is %s with 400 naming the rule', async (_name, password, reason) => {
    const username = uniqueUsername();
    expectFieldErrors(await register(username, password), { password: reason });
    expect(await rowsNamed(username.toLowerCase())).toBe(0);
  });

  it.each([
    ['a top-10 password', 'password'],
    ['a common password in another case', 'PassWord1'],
    ['a common password in full-width letters (equal after NFKC)', 'ｐａｓｓｗｏｒｄ１'],
    ['a keyboard walk', '1qaz2wsx'],
    ['a common phrase', 'iloveyou'],
  ])('answers %s with 400 saying it is too common', async (_name, password) => {
    expectFieldErrors(await register(uniqueUsername(), password), {
      password: COMMON_PASSWORD_REASON,
    });
  });

  it('names every failed rule of both fields at once', async () => {
    expectFieldErrors(await register('x', 'password'), {
      username: 'must be at least 3 characters',
      password: COMMON_PASSWORD_REASON,
    });
  });

  it('accepts a long passphrase of 64 and of 256 characters, with no composition rules', async () => {
    for (const password of [
      'all lower case words but many of them '.repeat(2).slice(0, 64),
      'ü'.repeat(256),
    ]) {
      const username = uniqueUsername();
      expect((await register(username, password)).status).toBe(201);
      expect((await login(username, password)).status).toBe(200);
    }
  });

  it('never truncates at bcrypt’s 72 bytes: "a"*72+"X" registered, "a"*72+"Y" refused', async () => {
    const username = uniqueUsername();
    expect((await register(username, `${'a'.repeat(72)}X`)).status).toBe(201);
    expectProblem(await login(username, `${'a'.repeat(72)}Y`), 401, 'invalid_credentials');
    expect((await login(username, `${'a'.repeat(72)}X`)).status).toBe(200);
  });

  it('never truncates a multi-byte password at 72 bytes either', async () => {
    const username = uniqueUsername();
    const prefix = '😀'.repeat(18); // 72 bytes of UTF-8
    expect((await register(username, `${prefix}x`)).status).toBe(201);
    expectProblem(await login(username, `${prefix}y`), 401, 'invalid_credentials');
  });
});

// SECURITY.md, hostile-input catalogue 18.
describe('username policy', () => {
  it.each([
    ['NUL', 'nul\u0000byte'],
    ['a bell (Cc)', 'bell\u0007'],
    ['a newline (Cc)', 'new\nline'],
    ['DEL (Cc)', 'del\u007f'],
    ['a zero-width space (Cf)', 'zero\u200bwidth'],
    ['a zero-width joiner (Cf)', 'zw\u200djoiner'],
    ['a right-to-left override (Cf)', 'evil\u202egnp.exe'],
    ['a byte order mark (Cf)', '\ufeffbom'],
  ])('answers a username with %s with 400', async (_name, username) => {
    const response = await register(username, GOOD_PASSWORD);
    expectFieldErrors(response, { username: 'must not contain control or format characters' });
  });

  it.each([
    ['a combining grapheme joiner', 'alice\u034f'],
    ['a variation selector', 'alice\ufe0f'],
    ['a Mongolian free variation selector', 'alice\u180b'],
    ['a Hangul filler', 'al\u3164ice'],
    ['a halfwidth Hangul filler', 'al\uffa0ice'],
  ])(
    'answers a username with %s, which renders exactly like one without it, with 400',
    async (_name, username) => {
      const response = await register(username, GOOD_PASSWORD);
      expectFieldErrors(response, {
        username: 'must not contain invisible characters such as variation selectors or fillers',
      });
    },
  );

  it.each([
    ['NUL', 'alice\u0000'],
    ['a zero-width space', 'ali\u200bce'],
  ])(
    'answers a login whose username has %s with 400, never a 500 from the database',
    async (_name, username) => {
      const response = await login(username, GOOD_PASSWORD);
      expectFieldErrors(response, { username: 'must not contain control or format characters' });
    },
  );

  it.each([
    ['Alice', 'alice'],
    ['Ａｄｍｉｎ', 'admin'],
    ['ﬁnance', 'finance'],
    ['ſam', 'sam'],
    ['\u212Aelvin', 'kelvin'],
    ['STRASSE', 'straße'],
  ])(
    'answers the second of %s and %s with 409: one canonical name, one row',
    async (first, second) => {
      const suffix = uniqueUsername('').replaceAll('_', '');
      expect((await register(`${first}${suffix}`, GOOD_PASSWORD)).status).toBe(201);
      expectProblem(await register(`${second}${suffix}`, GOOD_PASSWORD), 409, 'username_taken');
      const canonical = `${second}${suffix}`.normalize('NFKC').toUpperCase().toLowerCase();
      expect(await rowsNamed(canonical)).toBe(1);
    },
  );

  it('logs in with any compatibility or case form of the name', async () => {
    const suffix = uniqueUsername('').replaceAll('_', '');
    expect((await register(`Admin${suffix}`, GOOD_PASSWORD)).status).toBe(201);
    expect((await login(`ＡＤＭＩＮ${suffix}`, GOOD_PASSWORD)).status).toBe(200);
  });
});

// SECURITY.md, hostile-input catalogue 20.
describe('one name registered 50 times at once', () => {
  // Fifty bcrypt hashes on a two-thread pool: seconds, more on a busy machine.
  it('answers exactly one 201 and 49 409s, and stores one row', async () => {
    const username = uniqueUsername('race');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => register(username, GOOD_PASSWORD)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    expect(await rowsNamed(username.toLowerCase())).toBe(1);
  }, 60_000);
});
