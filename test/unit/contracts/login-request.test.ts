import { loginRequestSchema, registerRequestSchemaWith } from '@authpair/contracts';

function reasons(
  schema: { safeParse(value: unknown): { success: boolean; error?: unknown } },
  body: unknown,
) {
  const result = schema.safeParse(body) as {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
  if (result.success) return {};
  return Object.fromEntries(
    (result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]),
  );
}

describe('login body', () => {
  it('accepts any well-shaped username and password, whatever the registration policy says', () => {
    expect(reasons(loginRequestSchema, { username: 'x', password: 'y' })).toEqual({});
    expect(reasons(loginRequestSchema, { username: "o'brien--", password: ' ' })).toEqual({});
  });

  it.each([
    ['NUL', 'alice\u0000'],
    ['a control character', 'ali\u0008ce'],
    ['a zero-width space', 'ali\u200bce'],
    ['a bidi override', '\u202ealice'],
  ])('refuses a username with %s: no account can have one', (_name, username) => {
    expect(reasons(loginRequestSchema, { username, password: 'whatever' })).toEqual({
      username: 'must not contain control or format characters',
    });
  });

  it('accepts invisible characters that an account registered under an older policy may hold', () => {
    for (const username of ['alice\u034F', 'al\u3164ice'])
      expect(reasons(loginRequestSchema, { username, password: 'whatever' })).toEqual({});
  });

  it('refuses lone surrogates, which would reach bcrypt as U+FFFD', () => {
    expect(reasons(loginRequestSchema, { username: 'a\ud800', password: '\udc00x' })).toEqual({
      username: 'must be valid Unicode text',
      password: 'must be valid Unicode text',
    });
  });

  it('allows control characters in a password: it is hashed, never stored', () => {
    expect(reasons(loginRequestSchema, { username: 'alice', password: 'tab\there' })).toEqual({});
  });
});

describe('registration body with the service’s common-password check', () => {
  const schema = registerRequestSchemaWith({ isCommon: (password) => password === 'password1' });

  it('refuses a listed password after NFKC, and only that', () => {
    expect(reasons(schema, { username: 'alice', password: 'ｐａｓｓｗｏｒｄ1' })).toEqual({
      password: expect.stringMatching(/^is too common/),
    });
    expect(reasons(schema, { username: 'alice', password: 'password2' })).toEqual({});
  });
});
