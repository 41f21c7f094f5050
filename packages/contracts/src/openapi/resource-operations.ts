/** The resource service's operations. */
import type { ErrorCode } from '../errors';
import { adminReportResponseSchema, protectedResponseSchema } from '../resource-api';
import {
  BEARER_PROBLEMS,
  commonOperations,
  commonSchemas,
  jsonResponse,
} from './common-operations';
import type { ApiDescription } from './types';

/** Verification can also fail for want of the keys or of a current revocation list. */
const VERIFY_PROBLEMS: readonly ErrorCode[] = [
  ...BEARER_PROBLEMS,
  'jwks_unavailable',
  'revocation_unavailable',
];

/** Everything the resource service serves. */
export const RESOURCE_API: ApiDescription = {
  title: 'authpair resource service',
  version: '0.1.0',
  description:
    "Serves protected endpoints to bearers of the auth service's access tokens, verified against its JWKS, refused within about a second once their session has ended.",
  tags: [
    { name: 'resources', description: 'Endpoints behind an access token.' },
    { name: 'operations', description: 'Health, metrics and these documents.' },
  ],
  schemas: {
    ProtectedResponse: protectedResponseSchema,
    AdminReport: adminReportResponseSchema,
    ...commonSchemas,
  },
  operations: [
    {
      method: 'get',
      path: '/protected',
      operationId: 'protected',
      summary: 'A greeting for any valid access token',
      tag: 'resources',
      security: 'bearer',
      responses: {
        200: jsonResponse(
          'The greeting and the claims it was built from.',
          protectedResponseSchema,
        ),
      },
      problems: VERIFY_PROBLEMS,
    },
    {
      method: 'get',
      path: '/admin/reports',
      operationId: 'adminReports',
      summary: "This replica's token traffic and revocation state (scope `admin`)",
      tag: 'resources',
      security: 'admin',
      responses: {
        200: jsonResponse('The report.', adminReportResponseSchema),
      },
      problems: [...VERIFY_PROBLEMS, 'insufficient_scope'],
    },
    ...commonOperations,
  ],
};
