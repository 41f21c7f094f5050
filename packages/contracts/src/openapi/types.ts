/**
 * What an HTTP operation of either service is, as data: the one place its
 * method, path, schemas, security and error answers are written down. The
 * OpenAPI documents are generated from these lists (see document.ts), and
 * the tests hold each service's router to them.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../errors';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * What an operation needs from the caller: nothing, an access token of a
 * live session, one that also carries the `admin` scope, or the revocation
 * feed's shared secret.
 */
export type OperationSecurity = 'public' | 'bearer' | 'admin' | 'feed';

/** A body, request or response. Without a schema it is an opaque string (HTML, Prometheus text). */
export interface ApiBody {
  /** The media types it is sent as; the first is the usual one. */
  contentTypes: readonly [string, ...string[]];
  schema?: z.ZodType;
}

/** A successful answer. */
export interface ApiResponse {
  description: string;
  body?: ApiBody;
  /** Response headers worth knowing, by name: their description. */
  headers?: Record<string, string>;
}

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI form: `/sessions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  security: OperationSecurity;
  /** Path parameters (every `{name}` in `path`); a string when not given. */
  params?: z.ZodObject;
  /** Query parameters: the schema the handler parses `ctx.query` with. */
  query?: z.ZodObject;
  body?: ApiBody;
  /** Success answers by status. */
  responses: Record<number, ApiResponse>;
  /** The error codes the operation answers with (each with its status). */
  problems: readonly ErrorCode[];
  /** OAuth endpoints answer errors as RFC 6749 §5.2 JSON rather than problem+json. */
  errorFormat?: 'problem' | 'oauth';
}

/** One service's API: its operations and the named schemas they refer to. */
export interface ApiDescription {
  title: string;
  version: string;
  description: string;
  /** Tags in display order, with a description each. */
  tags: Array<{ name: string; description: string }>;
  /** Schemas shown by name (`#/components/schemas/<name>`); every body schema should be one. */
  schemas: Record<string, z.ZodType>;
  operations: readonly ApiOperation[];
}
