/** The auth service's admin API: every operation needs an access token with the `admin` scope. */
import { z } from 'zod';
import {
  adminSessionListSchema,
  adminUserListQuerySchema,
  adminUserPageSchema,
  adminUserSchema,
  auditEventPageSchema,
  auditEventQuerySchema,
  disableUserResponseSchema,
  endSessionsResponseSchema,
  roleChangeResponseSchema,
} from '../admin-api';
import type { ErrorCode } from '../errors';
import { roleSchema } from '../roles';
import { BEARER_PROBLEMS, jsonResponse } from './common-operations';
import type { ApiOperation } from './types';

/** The errors of every admin operation: a bad or missing token, or one without the `admin` scope. */
const ADMIN_PROBLEMS: readonly ErrorCode[] = [...BEARER_PROBLEMS, 'insufficient_scope'];

const userId = z.string().meta({ description: 'A user id.' });
const userParams = z.object({ id: userId });
const roleParams = z.object({ id: userId, role: roleSchema });
const sessionParams = z.object({
  id: userId,
  sid: z.string().meta({ description: 'A session id.' }),
});

/** The schemas the admin operations name. */
export const adminSchemas = {
  AdminUser: adminUserSchema,
  AdminUserPage: adminUserPageSchema,
  DisableUserResponse: disableUserResponseSchema,
  RoleChangeResponse: roleChangeResponseSchema,
  AdminSessionList: adminSessionListSchema,
  EndSessionsResponse: endSessionsResponseSchema,
  AuditEventPage: auditEventPageSchema,
};

function adminOperation(
  operation: Omit<ApiOperation, 'tag' | 'security' | 'problems'> & {
    problems?: readonly ErrorCode[];
  },
): ApiOperation {
  return {
    ...operation,
    tag: 'admin',
    security: 'admin',
    problems: [...ADMIN_PROBLEMS, ...(operation.problems ?? [])],
  };
}

export const adminOperations: readonly ApiOperation[] = [
  adminOperation({
    method: 'get',
    path: '/admin/users',
    operationId: 'adminListUsers',
    summary: 'List users, a page at a time, by username',
    query: adminUserListQuerySchema,
    responses: { 200: jsonResponse('A page of users.', adminUserPageSchema) },
    problems: ['validation_failed'],
  }),
  adminOperation({
    method: 'get',
    path: '/admin/users/{id}',
    operationId: 'adminGetUser',
    summary: 'One user',
    params: userParams,
    responses: { 200: jsonResponse('The user.', adminUserSchema) },
    problems: ['not_found'],
  }),
  adminOperation({
    method: 'post',
    path: '/admin/users/{id}/disable',
    operationId: 'adminDisableUser',
    summary: 'Disable a user: every session ends at once, logins are refused',
    description:
      'Their refresh tokens fail at once; the resource services refuse their access tokens within the revocation bound (about a second).',
    params: userParams,
    responses: {
      200: jsonResponse('Disabled (also when it already was).', disableUserResponseSchema),
    },
    problems: ['not_found', 'last_admin'],
  }),
  adminOperation({
    method: 'post',
    path: '/admin/users/{id}/enable',
    operationId: 'adminEnableUser',
    summary: 'Enable a disabled user (their ended sessions stay ended)',
    params: userParams,
    responses: { 200: jsonResponse('Enabled (also when it already was).', adminUserSchema) },
    problems: ['not_found'],
  }),
  adminOperation({
    method: 'put',
    path: '/admin/users/{id}/roles/{role}',
    operationId: 'adminGrantRole',
    summary: 'Grant a role; the scope it brings arrives with the next token',
    params: roleParams,
    responses: {
      200: jsonResponse('Granted (also when it already was).', roleChangeResponseSchema),
    },
    problems: ['not_found', 'validation_failed'],
  }),
  adminOperation({
    method: 'delete',
    path: '/admin/users/{id}/roles/{role}',
    operationId: 'adminRevokeRole',
    summary: 'Revoke a role; revoking `admin` ends the user’s sessions',
    params: roleParams,
    responses: {
      200: jsonResponse('Revoked (also when it was not held).', roleChangeResponseSchema),
    },
    problems: ['not_found', 'validation_failed', 'last_admin'],
  }),
  adminOperation({
    method: 'get',
    path: '/admin/users/{id}/sessions',
    operationId: 'adminListSessions',
    summary: "A user's live sessions",
    params: userParams,
    responses: { 200: jsonResponse('Most recently used first.', adminSessionListSchema) },
    problems: ['not_found'],
  }),
  adminOperation({
    method: 'delete',
    path: '/admin/users/{id}/sessions',
    operationId: 'adminEndSessions',
    summary: 'End every session of a user',
    params: userParams,
    responses: { 200: jsonResponse('How many were ended.', endSessionsResponseSchema) },
    problems: ['not_found'],
  }),
  adminOperation({
    method: 'delete',
    path: '/admin/users/{id}/sessions/{sid}',
    operationId: 'adminEndSession',
    summary: 'End one session of a user',
    params: sessionParams,
    responses: { 204: { description: 'Ended.' } },
    problems: ['not_found'],
  }),
  adminOperation({
    method: 'get',
    path: '/admin/audit-events',
    operationId: 'adminListAuditEvents',
    summary: 'The audit trail, newest first, by user and type',
    query: auditEventQuerySchema,
    responses: { 200: jsonResponse('A page of events.', auditEventPageSchema) },
    problems: ['validation_failed'],
  }),
];
