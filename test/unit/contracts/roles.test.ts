import {
  adminUserListQuerySchema,
  hasScope,
  MAX_PAGE_SIZE,
  parseScope,
  scopesOf,
  sortRoles,
} from '@authpair/contracts';

describe('scopes from roles', () => {
  it('gives every user profile and an admin also admin, each once, in a fixed order', () => {
    expect(scopesOf(['user'])).toEqual(['profile']);
    expect(scopesOf(['admin', 'user'])).toEqual(['profile', 'admin']);
    expect(scopesOf(['admin', 'admin'])).toEqual(['admin']);
  });

  it('grants nothing for a role it does not know', () => {
    expect(scopesOf(['root', 'superuser'])).toEqual([]);
  });

  it('reads a scope parameter as space-separated tokens, case-sensitive (RFC 6749 §3.3)', () => {
    expect(parseScope('profile  admin')).toEqual(['profile', 'admin']);
    expect(parseScope(undefined)).toEqual([]);
    expect(hasScope('profile admin', 'admin')).toBe(true);
    expect(hasScope('profile ADMIN', 'admin')).toBe(false);
    expect(hasScope('profileadmin', 'admin')).toBe(false);
    expect(hasScope(undefined, 'admin')).toBe(false);
  });

  it('keeps known roles only, in the order ROLES lists them', () => {
    expect(sortRoles(['admin', 'user', 'root', 'admin'])).toEqual(['user', 'admin']);
  });
});

describe('the admin list query', () => {
  it('defaults the page size and bounds it', () => {
    expect(adminUserListQuerySchema.parse({}).limit).toBe(50);
    expect(adminUserListQuerySchema.parse({ limit: '7' }).limit).toBe(7);
    for (const limit of ['0', String(MAX_PAGE_SIZE + 1), '2.5', 'ten', ['1', '2']])
      expect(adminUserListQuerySchema.safeParse({ limit }).success).toBe(false);
  });
});
