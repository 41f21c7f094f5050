/** The auth service's operations: accounts, tokens, sessions, keys, and (admin-operations.ts) administration. */
import { z } from 'zod';
import {
  authorizationServerMetadataSchema,
  loginRequestSchema,
  registerRequestSchema,
  registerResponseSchema,
  tokenResponseSchema,
} from '../auth-api';
import { jwkSetSchema } from '../jwks';
import { oauthErrorResponseSchema, revocationRequestSchema, tokenRequestSchema } from '../oauth';
import {
  changePasswordRequestSchema,
  changePasswordResponseSchema,
  logoutQuerySchema,
  REVOCATION_FEED_PATH,
  revocationFeedPageSchema,
  revocationFeedQuerySchema,
  sessionListResponseSchema,
} from '../sessions-api';
import { adminOperations, adminSchemas } from './admin-operations';
import {
  BEARER_PROBLEMS,
  BODY_PROBLEMS,
  commonOperations,
  commonSchemas,
  JSON_MEDIA,
  jsonResponse,
} from './common-operations';
import type { ApiDescription, ApiOperation } from './types';

const OAUTH_BODY = ['application/x-www-form-urlencoded', 'application/json'] as const;

const NO_STORE = {
  'Cache-Control': '`no-store`: token responses are never cached (RFC 6749 §5.1).',
  Pragma: '`no-cache`.',
};
const CACHED = { 'Cache-Control': '`public, max-age=JWKS_MAX_AGE`.' };

const sessionIdParams = z.object({ id: z.string().meta({ description: 'A session id.' }) });

const accountOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/register',
    operationId: 'register',
    summary: 'Create an account',
    tag: 'accounts',
    security: 'public',
    body: { contentTypes: JSON_MEDIA, schema: registerRequestSchema },
    responses: {
      201: jsonResponse('Created.', registerResponseSchema),
    },
    problems: [...BODY_PROBLEMS, 'username_taken', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/login',
    operationId: 'login',
    summary: 'Log in with a username and password; starts a session',
    description:
      'An unknown user and a wrong password get the same 401. `account_disabled` (403) is only said to a caller who gave the right password.',
    tag: 'accounts',
    security: 'public',
    body: { contentTypes: JSON_MEDIA, schema: loginRequestSchema },
    responses: {
      200: jsonResponse('An access token and a refresh token.', tokenResponseSchema, NO_STORE),
    },
    problems: [...BODY_PROBLEMS, 'invalid_credentials', 'account_disabled', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/password',
    operationId: 'changePassword',
    summary: "Change the caller's password; ends their other sessions",
    tag: 'sessions',
    security: 'bearer',
    body: { contentTypes: JSON_MEDIA, schema: changePasswordRequestSchema },
    responses: {
      200: jsonResponse('Changed.', changePasswordResponseSchema),
    },
    problems: [...BEARER_PROBLEMS, ...BODY_PROBLEMS, 'rate_limited'],
  },
];

const oauthOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/token',
    operationId: 'refreshGrant',
    summary: 'Exchange a refresh token for new tokens (RFC 6749 §6)',
    description:
      'The refresh token is spent: rotation with reuse detection (RFC 9700 §4.14.2). A `scope` narrower than the granted one may be asked for.',
    tag: 'oauth',
    security: 'public',
    body: { contentTypes: OAUTH_BODY, schema: tokenRequestSchema },
    responses: {
      200: jsonResponse('A new access token and refresh token.', tokenResponseSchema, NO_STORE),
    },
    problems: [
      'invalid_request',
      'invalid_grant',
      'unsupported_grant_type',
      'invalid_scope',
      'invalid_client',
      'malformed_body',
      'payload_too_large',
      'unsupported_media_type',
    ],
    errorFormat: 'oauth',
  },
  {
    method: 'post',
    path: '/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke a refresh or access token, ending its session (RFC 7009)',
    tag: 'oauth',
    security: 'public',
    body: { contentTypes: OAUTH_BODY, schema: revocationRequestSchema },
    responses: { 200: { description: 'Done, whether or not the token was known.' } },
    problems: [
      'invalid_request',
      'invalid_client',
      'malformed_body',
      'payload_too_large',
      'unsupported_media_type',
    ],
    errorFormat: 'oauth',
  },
];

const sessionOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/logout',
    operationId: 'logout',
    summary: "End the token's session (`?scope=all`: every session of the user)",
    tag: 'sessions',
    security: 'bearer',
    query: logoutQuerySchema,
    responses: { 204: { description: 'Ended.' } },
    problems: [...BEARER_PROBLEMS, 'validation_failed'],
  },
  {
    method: 'get',
    path: '/sessions',
    operationId: 'listSessions',
    summary: "The caller's live sessions",
    tag: 'sessions',
    security: 'bearer',
    responses: {
      200: jsonResponse('Most recently used first.', sessionListResponseSchema),
    },
    problems: BEARER_PROBLEMS,
  },
  {
    method: 'delete',
    path: '/sessions/{id}',
    operationId: 'endSession',
    summary: "End one of the caller's sessions",
    tag: 'sessions',
    security: 'bearer',
    params: sessionIdParams,
    responses: { 204: { description: 'Ended.' } },
    problems: [...BEARER_PROBLEMS, 'not_found'],
  },
];

const keyOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'jwks',
    summary: 'The public keys that verify access tokens (RFC 7517)',
    tag: 'discovery',
    security: 'public',
    responses: {
      200: jsonResponse('The published keys.', jwkSetSchema, CACHED),
    },
    problems: [],
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    operationId: 'serverMetadata',
    summary: 'Authorization server metadata (RFC 8414)',
    tag: 'discovery',
    security: 'public',
    responses: {
      200: jsonResponse('The metadata.', authorizationServerMetadataSchema, CACHED),
    },
    problems: [],
  },
  {
    method: 'get',
    path: REVOCATION_FEED_PATH,
    operationId: 'revocationFeed',
    summary: 'Sessions ended recently, for resource services (not public)',
    description: 'Authenticated with `REVOCATION_FEED_TOKEN` as a bearer token.',
    tag: 'internal',
    security: 'feed',
    query: revocationFeedQuerySchema,
    responses: {
      200: jsonResponse('A page of the feed.', revocationFeedPageSchema),
    },
    problems: [...BEARER_PROBLEMS, 'validation_failed'],
  },
];

/** Everything the auth service serves. */
export const AUTH_API: ApiDescription = {
  title: 'authpair auth service',
  version: '0.1.0',
  description:
    'Registers users, logs them in, issues RS256 access tokens (RFC 9068) and rotating refresh tokens, publishes its keys, and offers an admin API for tokens with the `admin` scope.',
  tags: [
    { name: 'accounts', description: 'Registration and password login.' },
    { name: 'oauth', description: 'The token endpoint (refresh grant) and revocation.' },
    { name: 'sessions', description: "The caller's own sessions and password." },
    { name: 'admin', description: 'Users, roles, sessions and the audit trail; scope `admin`.' },
    { name: 'discovery', description: 'Keys and metadata for verifiers and clients.' },
    { name: 'internal', description: 'Service to service; keep off public routes.' },
    { name: 'operations', description: 'Health, metrics and these documents.' },
  ],
  schemas: {
    RegisterRequest: registerRequestSchema,
    RegisterResponse: registerResponseSchema,
    LoginRequest: loginRequestSchema,
    TokenRequest: tokenRequestSchema,
    TokenResponse: tokenResponseSchema,
    RevocationRequest: revocationRequestSchema,
    OAuthError: oauthErrorResponseSchema,
    ChangePasswordRequest: changePasswordRequestSchema,
    ChangePasswordResponse: changePasswordResponseSchema,
    SessionList: sessionListResponseSchema,
    JwkSet: jwkSetSchema,
    AuthorizationServerMetadata: authorizationServerMetadataSchema,
    RevocationFeedPage: revocationFeedPageSchema,
    ...adminSchemas,
    ...commonSchemas,
  },
  operations: [
    ...accountOperations,
    ...oauthOperations,
    ...sessionOperations,
    ...adminOperations,
    ...keyOperations,
    ...commonOperations,
  ],
};
