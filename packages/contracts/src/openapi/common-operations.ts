/** Operations both services serve: health, metrics, and the API documents themselves. */
import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import { livenessReportSchema, readinessReportSchema } from '../health';
import type { ApiOperation, ApiResponse } from './types';

/** Where each service serves its OpenAPI document and the page rendering it. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
/** The viewer's script, served by the service itself (no CDN). */
export const DOCS_SCRIPT_PATH = '/docs/api-reference.js';
export const METRICS_PATH = '/metrics';

/** The media type of every JSON body here. */
export const JSON_MEDIA = ['application/json'] as const;

/** A success answer with a JSON body. */
export function jsonResponse(
  description: string,
  schema?: z.ZodType,
  headers?: Record<string, string>,
): ApiResponse {
  return {
    description,
    body:
      schema === undefined ? { contentTypes: JSON_MEDIA } : { contentTypes: JSON_MEDIA, schema },
    ...(headers === undefined ? {} : { headers }),
  };
}

/** The errors any JSON body can meet before its handler runs. */
export const BODY_PROBLEMS: readonly ErrorCode[] = [
  'malformed_body',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
];

/** The errors of any operation that takes an access token (RFC 6750 §3.1). */
export const BEARER_PROBLEMS: readonly ErrorCode[] = [
  'invalid_request',
  'missing_credentials',
  'invalid_token',
];

/** The schemas the common operations name. */
export const commonSchemas = {
  LivenessReport: livenessReportSchema,
  ReadinessReport: readinessReportSchema,
};

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, `/docs`. */
export const commonOperations: readonly ApiOperation[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    security: 'public',
    responses: {
      200: jsonResponse('Alive.', livenessReportSchema),
    },
    problems: [],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: each dependency and its state',
    description:
      'Ready (200) while every dependency is `up` or `degraded`; unready (503) when any is `down`, and from `SIGTERM` on (a `shutdown` check, down), while the instance drains. The body is the same either way.',
    tag: 'operations',
    security: 'public',
    responses: {
      200: jsonResponse('Ready.', readinessReportSchema),
      503: jsonResponse(
        'Unready: a dependency is down, or the instance is stopping.',
        readinessReportSchema,
      ),
    },
    problems: [],
  },
  {
    method: 'get',
    path: METRICS_PATH,
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text exposition format. Served on `METRICS_PORT` instead, and absent here, when that is set.',
    tag: 'operations',
    security: 'public',
    responses: {
      200: {
        description: 'Every metric of this instance.',
        body: { contentTypes: ['text/plain; version=0.0.4; charset=utf-8'] },
      },
    },
    problems: [],
  },
  {
    method: 'get',
    path: OPENAPI_PATH,
    operationId: 'openApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tag: 'operations',
    security: 'public',
    responses: { 200: jsonResponse('The document.') },
    problems: [],
  },
  {
    method: 'get',
    path: DOCS_PATH,
    operationId: 'apiReference',
    summary: 'The API reference, for people (renders this document)',
    tag: 'operations',
    security: 'public',
    responses: {
      200: { description: 'An HTML page.', body: { contentTypes: ['text/html; charset=utf-8'] } },
    },
    problems: [],
  },
  {
    method: 'get',
    path: DOCS_SCRIPT_PATH,
    operationId: 'apiReferenceScript',
    summary: "The page's viewer: Scalar's API reference bundle, pinned by the npm lockfile",
    description:
      'Served from the service, so `/docs` works offline and no third party learns who reads it. Immutable per version (`?v=`); gzip when accepted.',
    tag: 'operations',
    security: 'public',
    responses: {
      200: {
        description: 'The script.',
        body: { contentTypes: ['text/javascript; charset=utf-8'] },
      },
    },
    problems: ['not_found'],
  },
];
