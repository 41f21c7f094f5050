import { gzipSync } from 'node:zlib';
import { GOOD_PASSWORD, rawRequest, request, uniqueUsername } from '../support/http';
import { expectFieldErrors, expectProblem } from '../support/problems';
import { useServices } from '../support/services';

// Hostile and broken request bodies against the auth service: a 4xx
// problem every time, nothing stored, nothing hashed, never a 500.

const fixture = useServices({ auth: { REGISTRATION_ADDRESS_MAX: '1000' } });

const url = (path: string) => `${fixture.auth.url}${path}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const postText = (
  path: string,
  text: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
) => rawRequest(url(path), { headers, body: text });

async function userCount(): Promise<number> {
  const { rows } = await fixture.auth.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM users',
  );
  return (rows[0] as { n: number }).n;
}

/** Runs `act` and expects the users table to be unchanged by it. */
async function storesNothing(act: () => Promise<void>): Promise<void> {
  const before = await userCount();
  await act();
  expect(await userCount()).toBe(before);
}

// SECURITY.md, hostile-input catalogue 15.
describe('malformed and mistyped bodies', () => {
  it.each(['/register', '/login'])(
    'answers malformed JSON on %s with 400 malformed_body',
    async (path) => {
      await storesNothing(async () => {
        for (const text of ['{"username": ', '{username: "a"}', "{'a': 1}", '{"a":1}}', ''])
          expectProblem(await postText(path, text), 400, 'malformed_body');
      });
    },
  );

  it('answers JSON sent as text/plain, or as a form, with 415', async () => {
    const text = JSON.stringify({ username: uniqueUsername(), password: GOOD_PASSWORD });
    await storesNothing(async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])
        expectProblem(
          await postText('/register', text, { 'content-type': type }),
          415,
          'unsupported_media_type',
        );
      expectProblem(await postText('/register', text, {}), 415, 'unsupported_media_type');
    });
  });

  it('answers a top-level array, string, number or null with 400 malformed_body', async () => {
    await storesNothing(async () => {
      for (const text of ['[{"username":"alice","password":"long enough"}]', '"x"', '42', 'null'])
        expectProblem(await postText('/register', text), 400, 'malformed_body');
    });
  });

  it.each([
    ['an operator object', { $ne: null }, 'must be a string'],
    ['null', null, 'must be a string'],
    ['a number', 1234567890, 'must be a string'],
    ['an array', ['alice'], 'must be a string'],
    ['a boolean', true, 'must be a string'],
  ])('answers %s as a field value with 400 naming the field', async (_name, value, reason) => {
    await storesNothing(async () => {
      const register = await request(url('/register'), {
        body: { username: value, password: GOOD_PASSWORD },
      });
      expectFieldErrors(register, { username: reason });
      const login = await request(url('/login'), { body: { username: 'alice', password: value } });
      expectFieldErrors(login, { password: reason });
    });
  });

  it('refuses __proto__ and constructor members as unknown fields and pollutes nothing', async () => {
    const username = uniqueUsername();
    await storesNothing(async () => {
      const response = await postText(
        '/register',
        `{"username":"${username}","password":"${GOOD_PASSWORD}","__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}`,
      );
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).toEqual([
        { field: '__proto__', reason: 'is not a known field' },
        { field: 'constructor', reason: 'is not a known field' },
      ]);
    });
    expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it('answers a body that is not UTF-8 with 400, before any field is read', async () => {
    // "café" in Latin-1: decoding it leniently would turn é into U+FFFD, and two
    // different byte strings would become one password.
    const latin1 = Buffer.concat([
      Buffer.from(`{"username":"${uniqueUsername()}","password":"caf`),
      Buffer.from([0xe9]),
      Buffer.from(' au lait"}'),
    ]);
    await storesNothing(async () => {
      expectProblem(await postText('/register', latin1), 400, 'malformed_body');
    });
  });

  it('answers a charset other than UTF-8 with 415', async () => {
    const text = JSON.stringify({ username: uniqueUsername(), password: GOOD_PASSWORD });
    for (const charset of ['iso-8859-1', 'utf-16', 'utf-32le'])
      expectProblem(
        await postText('/register', text, {
          'content-type': `application/json; charset=${charset}`,
        }),
        415,
        'unsupported_media_type',
      );
    const utf8 = await postText('/register', text, {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(utf8.status).toBe(201);
  });

  it('answers deeply nested JSON with 400, never a stack overflow', async () => {
    const depth = 1900;
    const nested = `{"username":${'['.repeat(depth)}${']'.repeat(depth)},"password":"x"}`;
    expect(Buffer.byteLength(nested)).toBeLessThan(4096);
    expectFieldErrors(await postText('/login', nested), { username: 'must be a string' });
  });

  it('answers huge numbers with 400 naming the field', async () => {
    const response = await postText('/login', '{"username":1e999999,"password":-1e999999}');
    expectFieldErrors(response, { username: 'must be a string', password: 'must be a string' });
  });

  it('validates the last of duplicate members, the one that is used', async () => {
    const first = uniqueUsername('first');
    const last = uniqueUsername('last');
    const created = await postText(
      '/register',
      `{"username":"${first}","username":"${last}","password":"${GOOD_PASSWORD}"}`,
    );
    expect(created.status).toBe(201);
    expect(created.body.username).toBe(last);
    const refused = await postText(
      '/register',
      `{"username":"${uniqueUsername()}","username":"nul\\u0000l","password":"${GOOD_PASSWORD}"}`,
    );
    expectFieldErrors(refused, { username: 'must not contain control or format characters' });
  });

  it('answers lone surrogates with 400 rather than hashing them as U+FFFD', async () => {
    const register = await postText(
      '/register',
      `{"username":"${uniqueUsername()}","password":"long enough \\ud800"}`,
    );
    expectFieldErrors(register, { password: 'must be valid Unicode text' });
    const login = await postText('/login', '{"username":"alice\\udfff","password":"x\\ud800"}');
    expectFieldErrors(login, {
      username: 'must be valid Unicode text',
      password: 'must be valid Unicode text',
    });
  });
});

// SECURITY.md, hostile-input catalogue 16.
describe('bodies over the limit', () => {
  it('answers 10 KB of unparseable bytes with 413, not 400: the size is checked before parsing', async () => {
    await storesNothing(async () => {
      const response = await postText('/register', `{${'x'.repeat(10 * 1024)}`);
      expectProblem(response, 413, 'payload_too_large');
      expect(response.headers.get('connection')).toBe('close');
    });
  });

  it('answers a declared length over the limit with 413 without reading the body', async () => {
    const response = await rawRequest(url('/login'), {
      headers: { ...JSON_TYPE, 'content-length': String(1024 ** 3) },
      chunks: ['{"username":"a"'],
    });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('answers a chunked body that grows past the limit with 413', async () => {
    const chunks = (function* () {
      yield '{"username":"';
      for (let i = 0; i < 1024; i += 1) yield 'a'.repeat(1024);
    })();
    const response = await rawRequest(url('/register'), { headers: JSON_TYPE, chunks });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('answers a compressed body (a gzip bomb) with 415 and Accept-Encoding: identity, never inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 ** 2, 0x20));
    expect(bomb.length).toBeLessThan(16 * 1024);
    for (const encoding of ['gzip', 'deflate', 'br', 'GZIP']) {
      const response = await postText('/login', bomb, {
        ...JSON_TYPE,
        'content-encoding': encoding,
      });
      expectProblem(response, 415, 'unsupported_media_type');
      expect(response.headers.get('accept-encoding')).toBe('identity');
    }
  });
});

// SECURITY.md, hostile-input catalogue 19.
describe('SQL metacharacters in fields', () => {
  it('stores a password full of SQL literally and logs in with it', async () => {
    const username = uniqueUsername();
    const password = `'; DROP TABLE users; -- " OR 1=1 /* \\ %_`;
    expect((await request(url('/register'), { body: { username, password } })).status).toBe(201);
    expect((await request(url('/login'), { body: { username, password } })).status).toBe(200);
  });

  it('refuses SQL in a username at registration by the character policy', async () => {
    for (const username of ["o'brien", 'bob"; DROP TABLE users;--', 'a OR 1=1'])
      expectProblem(
        await request(url('/register'), { body: { username, password: GOOD_PASSWORD } }),
        400,
        'validation_failed',
      );
  });

  it.each(["' OR '1'='1", "admin'--", '%', '_', "'; SELECT pg_sleep(10); --", '\\'])(
    'answers a login as %s with the ordinary 401, and the table survives',
    async (username) => {
      const started = performance.now();
      const response = await request(url('/login'), {
        body: { username, password: GOOD_PASSWORD },
      });
      expectProblem(response, 401, 'invalid_credentials');
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await userCount()).toBeGreaterThan(0);
    },
  );
});
