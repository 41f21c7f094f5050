/**
 * Roles users hold and the OAuth scopes (RFC 9068 §2.2.3) their access
 * tokens carry. The mapping is fixed here, so both services and every
 * client read the same table.
 */
import { z } from 'zod';

/**
 * Roles a user can hold. Every account holds `user` (it cannot be revoked);
 * `admin` is granted by `auth-admin users grant` or by another admin.
 */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The role every account holds from registration on. */
export const BASE_ROLE: Role = 'user';

/** A role name as it appears in a path or a body. */
export const roleSchema = z
  .enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` })
  .meta({ description: 'A role: `user` (every account) or `admin`.' });

/** Known roles among `roles`, each once, in `ROLES` order. */
export function sortRoles(roles: readonly string[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

/** Scopes an access token can carry. */
export const SCOPES = ['profile', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scope each role grants: every user `profile`, an admin also `admin`. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  user: ['profile'],
  admin: ['admin'],
};

/** The scope a resource service requires on its administrative endpoints. */
export const ADMIN_SCOPE: Scope = 'admin';

/** The scopes the given roles grant, in `SCOPES` order, each once. */
export function scopesOf(roles: readonly string[]): Scope[] {
  const granted = new Set<Scope>();
  for (const role of roles) for (const scope of ROLE_SCOPES[role as Role] ?? []) granted.add(scope);
  return SCOPES.filter((scope) => granted.has(scope));
}

/** RFC 6749 §3.3: a scope parameter is space-separated scope tokens; an empty one names none. */
export function parseScope(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((token) => token !== '');
}

/** Whether a token's `scope` claim includes `required`. */
export function hasScope(scope: string | undefined, required: string): boolean {
  return parseScope(scope).includes(required);
}
