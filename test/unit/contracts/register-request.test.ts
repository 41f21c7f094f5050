import { registerRequestSchema } from '@authpair/contracts';

function reasons(body: unknown): Record<string, string> {
  const result = registerRequestSchema.safeParse(body);
  if (result.success) return {};
  return Object.fromEntries(
    result.error.issues.map((issue) => [issue.path.join('.') || '(body)', issue.message]),
  );
}

const INVISIBLE = 'must not contain invisible characters such as variation selectors or fillers';

describe('registration body', () => {
  it('accepts a policy-conforming username and password', () => {
    expect(reasons({ username: 'alice.b-1', password: 'eight ch' })).toEqual({});
  });

  it.each([
    [{}, { username: 'is required', password: 'is required' }],
    [
      { username: { $ne: null }, password: null },
      { username: 'must be a string', password: 'must be a string' },
    ],
    [
      { username: 42, password: ['x'] },
      { username: 'must be a string', password: 'must be a string' },
    ],
    [
      { username: 'al', password: 'seven c' },
      { username: 'must be at least 3 characters', password: 'must be at least 8 characters' },
    ],
    [
      { username: 'bob', password: '          ' },
      { password: 'must not be empty or only whitespace' },
    ],
    [
      { username: 'nul\u0000l', password: 'long enough' },
      { username: 'must not contain control or format characters' },
    ],
    [
      { username: 'zero\u200Bwidth', password: 'long enough' },
      { username: 'must not contain control or format characters' },
    ],
    [
      { username: 'bidi\u202Eevil', password: 'long enough' },
      { username: 'must not contain control or format characters' },
    ],
    ...[
      'alice\u034F', // combining grapheme joiner (Mn)
      'alice\uFE0F', // variation selector 16 (Mn)
      'alice\u180B', // Mongolian free variation selector (Mn)
      'al\u3164ice', // Hangul filler (Lo): NFKC makes it U+1160, also invisible
      'al\uFFA0ice', // halfwidth Hangul filler (Lo)
      '\u115Falice', // Hangul choseong filler (Lo)
      'alice\u{E0100}', // variation selector 17 (Mn)
    ].map((username): [object, Record<string, unknown>] => [
      { username, password: 'long enough' },
      { username: INVISIBLE },
    ]),
    [
      { username: "bob'; DROP TABLE users;--", password: 'long enough' },
      { username: expect.stringMatching(/^may contain only letters/) },
    ],
  ])('explains what is wrong with %j', (body, expected) => {
    expect(reasons(body)).toEqual(expected);
  });

  it('accepts visible letters built from combining marks, and any script', () => {
    for (const username of ['e\u0301mile', 'zoe\u0308', '김철수', 'ελένη', 'наташа'])
      expect(reasons({ username, password: 'long enough' })).toEqual({});
  });

  it('accepts 64-character passwords and refuses 257', () => {
    expect(reasons({ username: 'bob', password: 'p'.repeat(64) })).toEqual({});
    expect(reasons({ username: 'bob', password: 'p'.repeat(257) })).toEqual({
      password: 'must be at most 256 characters',
    });
  });

  it('counts characters, not bytes', () => {
    expect(reasons({ username: 'bob', password: '🔑'.repeat(8) })).toEqual({});
  });

  it('refuses unknown fields, __proto__ included', () => {
    expect(
      registerRequestSchema.safeParse(
        JSON.parse('{"username":"bob","password":"long enough","__proto__":{"admin":true}}'),
      ).success,
    ).toBe(false);
  });
});
