/**
 * Builds an OpenAPI 3.1 document from an API description. Every schema in
 * it is converted from the zod schema the service validates with (or, for
 * responses, builds its answer's type from), by zod's own JSON Schema
 * 2020-12 conversion, the dialect OpenAPI 3.1 uses. Pure: no I/O.
 */
import { z } from 'zod';
import { type ErrorCode, errorDefinition } from '../errors';
import { PROBLEM_CONTENT_TYPE, problemDetailsSchema } from '../problem';
import type { ApiBody, ApiDescription, ApiOperation, ApiResponse } from './types';

/** A JSON Schema or OpenAPI object, as built here. */
type Json = Record<string, unknown>;

/** The document, with the members callers and tests look at typed. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

export interface DocumentOptions {
  /** Operations to leave out (`/metrics` when it is served on its own port). */
  omit?: (operation: ApiOperation) => boolean;
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const SCHEMA_REF = '#/components/schemas/';
const PROBLEM = 'Problem';

const CHALLENGE = 'RFC 6750 challenge: `Bearer realm="…"`, with `error` when a token was sent.';
/** Response headers that come with some statuses, whatever the operation. */
const HEADERS_BY_STATUS: Record<number, Record<string, string>> = {
  401: { 'WWW-Authenticate': CHALLENGE },
  403: {
    'WWW-Authenticate': `${CHALLENGE} With \`error="insufficient_scope"\`, \`scope\` names what is needed.`,
  },
  429: { 'Retry-After': 'Seconds to wait before trying again.' },
  503: { 'Retry-After': 'Seconds to wait before trying again.' },
};

const SECURITY_SCHEMES: Record<string, Json> = {
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token from `POST /login` or `POST /token` of the auth service (RFC 9068, RS256).',
  },
  feedToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The shared `REVOCATION_FEED_TOKEN`.',
  },
};

/** Noise zod adds for formats a validator already knows (`date-time`, `uuid`): the format says it. */
function dropFormatPatterns({ jsonSchema }: { jsonSchema: Json }): void {
  if (typeof jsonSchema.format === 'string' && 'pattern' in jsonSchema) delete jsonSchema.pattern;
}

const CONVERSION = {
  target: 'draft-2020-12',
  io: 'input',
  unrepresentable: 'any',
  override: dropFormatPatterns,
} as const;

/** One schema, inline, without the `$schema` member a document's schema objects do not repeat. */
function inline(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, CONVERSION) as Json;
  return rest;
}

/** Every named schema, nested named ones referenced by `$ref`. */
function componentSchemas(named: Map<z.ZodType, string>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    ...CONVERSION,
    uri: (id) => `${SCHEMA_REF}${id}`,
  }) as { schemas: Record<string, Json> };
  const components: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    components[id] = rest;
  }
  return components;
}

function pascal(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function parameters(operation: ApiOperation): Json[] {
  const result: Json[] = [];
  const pathNames = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
  for (const name of pathNames) {
    const field = operation.params?.shape[name] as z.ZodType | undefined;
    const { description, ...schema } = field === undefined ? { type: 'string' } : inline(field);
    result.push({
      name,
      in: 'path',
      required: true,
      schema,
      ...(description ? { description } : {}),
    });
  }
  for (const [name, field] of Object.entries(operation.query?.shape ?? {})) {
    const { description, ...schema } = inline(field as z.ZodType);
    const required = !(field as z.ZodType).safeParse(undefined).success;
    result.push({ name, in: 'query', required, schema, ...(description ? { description } : {}) });
  }
  return result;
}

function content(body: ApiBody, ref: (schema: z.ZodType) => Json): Json {
  const schema = body.schema === undefined ? { type: 'string' } : ref(body.schema);
  return Object.fromEntries(body.contentTypes.map((type) => [type, { schema }]));
}

function headers(described: Record<string, string>): Json {
  return Object.fromEntries(
    Object.entries(described).map(([name, description]) => [
      name,
      { description, schema: { type: 'string' } },
    ]),
  );
}

function successResponse(response: ApiResponse, ref: (schema: z.ZodType) => Json): Json {
  return {
    description: response.description,
    ...(response.headers ? { headers: headers(response.headers) } : {}),
    ...(response.body ? { content: content(response.body, ref) } : {}),
  };
}

/** One response per status, naming its codes; the body is a Problem whose `code` is one of them. */
function problemResponses(operation: ApiOperation): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of operation.problems) {
    const { status } = errorDefinition(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const oauth = operation.errorFormat === 'oauth';
  const base = { $ref: `${SCHEMA_REF}${oauth ? 'OAuthError' : PROBLEM}` };
  const mediaType = oauth ? 'application/json' : PROBLEM_CONTENT_TYPE;
  const responses: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const extra = HEADERS_BY_STATUS[status];
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(', '),
      ...(extra ? { headers: headers(extra) } : {}),
      content: {
        [mediaType]: {
          schema: { allOf: [base, { type: 'object', properties: { code: { enum: codes } } }] },
        },
      },
    };
  }
  responses.default = {
    description:
      'Anything else: `internal_error` (500, with a `request_id` also in the log), `service_unavailable` (503, with `Retry-After`), `not_found`, `method_not_allowed`.',
    content: { [mediaType]: { schema: base } },
  };
  return responses;
}

function security(operation: ApiOperation): Json[] | undefined {
  switch (operation.security) {
    case 'public':
      return undefined;
    case 'bearer':
      return [{ accessToken: [] }];
    case 'admin':
      // OpenAPI 3.1 §4.8.30: for non-OAuth schemes the array may name required roles.
      return [{ accessToken: ['admin'] }];
    case 'feed':
      return [{ feedToken: [] }];
  }
}

/** The OpenAPI 3.1 document of `api`. */
export function buildOpenApiDocument(
  api: ApiDescription,
  options: DocumentOptions = {},
): OpenApiDocument {
  const operations = api.operations.filter((operation) => !options.omit?.(operation));
  const named = new Map<z.ZodType, string>([[problemDetailsSchema, PROBLEM]]);
  for (const [name, schema] of Object.entries(api.schemas)) named.set(schema, name);
  // A body schema the description did not name gets a name from its operation.
  for (const operation of operations) {
    const bodies: Array<[ApiBody | undefined, string]> = [
      [operation.body, 'Request'],
      ...Object.entries(operation.responses).map(
        ([status, response]) =>
          [response.body, `Response${status}`] as [ApiBody | undefined, string],
      ),
    ];
    for (const [body, suffix] of bodies)
      if (body?.schema !== undefined && !named.has(body.schema))
        named.set(body.schema, `${pascal(operation.operationId)}${suffix}`);
  }
  const ref = (schema: z.ZodType): Json => ({ $ref: `${SCHEMA_REF}${named.get(schema)}` });

  const paths: OpenApiDocument['paths'] = {};
  for (const operation of operations) {
    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries(operation.responses))
      responses[status] = successResponse(response, ref);
    const requirement = security(operation);
    const parameterList = parameters(operation);
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, Json>)[operation.method] = {
      operationId: operation.operationId,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      ...(requirement ? { security: requirement } : {}),
      ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
      ...(operation.body
        ? { requestBody: { required: true, content: content(operation.body, ref) } }
        : {}),
      responses: { ...responses, ...problemResponses(operation) },
    };
  }

  const used = new Set(operations.map((operation) => operation.security));
  return {
    openapi: '3.1.1',
    info: { title: api.title, version: api.version, description: api.description },
    jsonSchemaDialect: DIALECT,
    tags: api.tags.filter((tag) => operations.some((operation) => operation.tag === tag.name)),
    paths,
    components: {
      schemas: componentSchemas(named),
      securitySchemes: Object.fromEntries(
        Object.entries(SECURITY_SCHEMES).filter(([name]) =>
          name === 'feedToken' ? used.has('feed') : used.has('bearer') || used.has('admin'),
        ),
      ),
    },
  };
}
