/**
 * What one fuzzed request is, as data fast-check generates and shrinks,
 * and how it becomes bytes on the wire. A case starts as a valid request
 * of its operation (from the operation's zod schemas, with real ids and
 * tokens named by reference and filled in when it is sent) and may then be
 * spoiled in one way: another method, a hostile path, query string,
 * headers, credentials or body.
 */
import type { ApiOperation } from '@authpair/contracts';
import fc from 'fast-check';
import type { z } from 'zod';
import {
  EDGE_NUMBERS,
  hostileHeaders,
  hostileJson,
  hostileKey,
  hostileQuery,
  hostileRawBody,
  hostileSegment,
  hostileString,
  METHODS,
  type RawBody,
  wellFormed,
} from './hostile';
import type { RawRequest } from './send';
import { arbitraryOf, memberNames } from './zod-arbitrary';

/** A value filled in when the request is sent: a real id, token or password. */
export interface Ref {
  $ref: string;
}
export const ref = (name: string): Ref => ({ $ref: name });
export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && typeof (value as Ref).$ref === 'string';
}

export const VARIANTS = ['valid', 'method', 'path', 'query', 'headers', 'auth', 'body'] as const;
export type Variant = (typeof VARIANTS)[number];

/** How the request presents credentials. */
export type AuthCase =
  | { kind: 'valid' | 'none' | 'basic' | 'scheme-only' | 'lowercase-scheme' | 'double-space' }
  | { kind: 'tampered' | 'ended' | 'feed-token' | 'user-token' | 'refresh-token' }
  | { kind: 'in-query' | 'header-and-query' }
  | { kind: 'garbage'; value: string };

export type BodyCase =
  | { kind: 'none' }
  | { kind: 'value'; value: unknown; encoding: 'json' | 'form' }
  | { kind: 'raw'; raw: RawBody };

export interface FuzzCase {
  variant: Variant;
  method: string;
  params: Record<string, unknown>;
  /** Appended to the path: a trailing slash, a segment, a matrix parameter. */
  pathSuffix: string;
  /** Pairs to encode (values may be refs), or a hostile query string sent as is. */
  query: Array<[string, unknown]> | string;
  body: BodyCase;
  auth: AuthCase;
  headers: Record<string, string>;
}

/** How to make valid requests of one operation; everything else comes from its schemas. */
export interface OperationPlan {
  operation: ApiOperation;
  service: 'auth' | 'resource';
  /** How many requests to send. */
  runs: number;
  /** Real path parameters (refs or generated values). */
  params?: Record<string, fc.Arbitrary<unknown>>;
  /** Body members that need more than their schema shows (a unique username, a live token). */
  bodyFields?: Record<string, fc.Arbitrary<unknown>>;
  queryFields?: Record<string, fc.Arbitrary<unknown>>;
  /** How a valid body is sent: JSON, or form-encoded as OAuth clients do. */
  encodings?: ReadonlyArray<'json' | 'form'>;
}

const PLACEHOLDER = 'placeholder-value-1';

/** A copy of `value` with refs replaced by a value most string policies accept (for schema checks). */
function withPlaceholders(value: unknown): unknown {
  if (isRef(value)) return PLACEHOLDER;
  if (Array.isArray(value)) return value.map(withPlaceholders);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholders(v)]));
  return value;
}

/** Values of `schema` (members overridden by `fields`) that the schema itself accepts. */
function validValues(
  schema: z.ZodType,
  fields: Record<string, fc.Arbitrary<unknown>> | undefined,
  asQuery: boolean,
): fc.Arbitrary<Record<string, unknown>> {
  return arbitraryOf(schema, fields ? { fields } : {})
    .map((value) => stripUndefined(value as Record<string, unknown>))
    .filter((value) => {
      const candidate = withPlaceholders(asQuery ? queryStrings(value) : value);
      return schema.safeParse(candidate).success;
    });
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** What a query string carries: every value a string. */
function queryStrings(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isRef(v) ? v : String(v)]));
}

function pathParamNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
}

/** The valid request of an operation. */
function validCase(plan: OperationPlan): fc.Arbitrary<FuzzCase> {
  const { operation } = plan;
  const params: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of pathParamNames(operation.path))
    params[name] = plan.params?.[name] ?? fc.constant('missing-param-plan');
  const query = operation.query
    ? validValues(operation.query, plan.queryFields, true).map(
        (value) => Object.entries(value) as Array<[string, unknown]>,
      )
    : fc.constant([] as Array<[string, unknown]>);
  const schema = operation.body?.schema;
  const body: fc.Arbitrary<BodyCase> =
    schema === undefined
      ? fc.constant({ kind: 'none' })
      : fc
          .tuple(
            validValues(schema, plan.bodyFields, false),
            fc.constantFrom(...(plan.encodings ?? ['json' as const])),
          )
          .map(([value, encoding]) => ({ kind: 'value', value, encoding }));
  return fc.record({
    variant: fc.constant<Variant>('valid'),
    method: fc.constant(operation.method.toUpperCase()),
    params: fc.record(params),
    pathSuffix: fc.constant(''),
    query,
    body,
    auth: fc.constant<AuthCase>({ kind: 'valid' }),
    headers: fc.constant({}),
  });
}

const PATH_SUFFIXES = ['/', '//', '/extra', '%00', ';jsessionid=1', '/..', '/%2e%2e', '.json', '~'];

const authCases: fc.Arbitrary<AuthCase> = fc.oneof(
  fc.constantFrom<AuthCase>(
    { kind: 'none' },
    { kind: 'basic' },
    { kind: 'scheme-only' },
    { kind: 'lowercase-scheme' },
    { kind: 'double-space' },
    { kind: 'tampered' },
    { kind: 'ended' },
    { kind: 'feed-token' },
    { kind: 'user-token' },
    { kind: 'refresh-token' },
    { kind: 'in-query' },
    { kind: 'header-and-query' },
  ),
  hostileString
    .filter((value) => /^[\x21-\x7e]*$/.test(value))
    .map((value): AuthCase => ({ kind: 'garbage', value })),
);

/** A body spoiled one way: a member of the wrong type or hostile, missing, unknown; not an object. */
function spoiledBody(plan: OperationPlan, valid: BodyCase): fc.Arbitrary<BodyCase> {
  const base = valid.kind === 'value' ? (valid.value as Record<string, unknown>) : {};
  const encoding = valid.kind === 'value' ? valid.encoding : 'json';
  const names = memberNames(plan.operation.body?.schema);
  const member = names.length > 0 ? fc.constantFrom(...names) : hostileKey;
  const value = (arbitrary: fc.Arbitrary<unknown>) =>
    arbitrary.map((v): BodyCase => ({ kind: 'value', value: v, encoding }));
  return fc.oneof(
    value(fc.tuple(member, hostileJson).map(([k, v]) => withMember(base, k, v))),
    value(member.map((k) => Object.fromEntries(Object.entries(base).filter(([n]) => n !== k)))),
    value(fc.tuple(hostileKey, hostileJson).map(([k, v]) => withMember(base, k, v))),
    value(hostileJson),
    hostileRawBody(withPlaceholders(base)).map((raw): BodyCase => ({ kind: 'raw', raw })),
  );
}

/** Sets a member as an own property, even `__proto__`, as JSON.parse would. */
function withMember(base: Record<string, unknown>, key: string, value: unknown) {
  const copy = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A value where a query parameter is read: numbers past the integer types, or any hostile text. */
const hostileQueryValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<string>(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: hostileString },
);

/** The valid query with one parameter made hostile, or a hostile query string of its own. */
function spoiledQuery(
  valid: FuzzCase['query'],
  knownKeys: readonly string[],
): fc.Arbitrary<FuzzCase['query']> {
  const pairs = typeof valid === 'string' ? [] : valid;
  const raw = hostileQuery(knownKeys);
  if (knownKeys.length === 0) return raw;
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...knownKeys), hostileQueryValue)
        .map(
          ([key, value]): Array<[string, unknown]> => [
            ...pairs.filter(([name]) => name !== key),
            [key, value],
          ],
        ),
    },
    { weight: 2, arbitrary: raw },
  );
}

/** Every request the fuzzer sends for one operation. */
export function caseArbitrary(plan: OperationPlan): fc.Arbitrary<FuzzCase> {
  const { operation } = plan;
  const valid = validCase(plan);
  const paramNames = pathParamNames(operation.path);
  const queryKeys = memberNames(operation.query);
  const otherMethods = METHODS.filter((method) => method !== operation.method.toUpperCase());
  const spoil = <T>(
    variant: Variant,
    arbitrary: fc.Arbitrary<T>,
    apply: (base: FuzzCase, value: T) => Partial<FuzzCase>,
  ) =>
    fc
      .tuple(valid, arbitrary)
      .map(([base, value]): FuzzCase => ({ ...base, ...apply(base, value), variant }));

  const variants: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzCase> }> = [
    { weight: 6, arbitrary: valid },
    {
      weight: 2,
      arbitrary: spoil('method', fc.constantFrom(...otherMethods), (_, method) => ({ method })),
    },
    {
      weight: 2,
      arbitrary: spoil(
        'path',
        fc.tuple(
          paramNames.length > 0
            ? fc.record(Object.fromEntries(paramNames.map((name) => [name, hostileSegment])), {
                requiredKeys: [],
              })
            : fc.constant({}),
          fc.constantFrom('', ...PATH_SUFFIXES),
        ),
        (base, [params, pathSuffix]) => ({ params: { ...base.params, ...params }, pathSuffix }),
      ),
    },
    {
      weight: 3,
      arbitrary: valid.chain((base) =>
        spoiledQuery(base.query, queryKeys).map(
          (query): FuzzCase => ({ ...base, query, variant: 'query' }),
        ),
      ),
    },
    { weight: 2, arbitrary: spoil('headers', hostileHeaders, (_, headers) => ({ headers })) },
  ];
  if (operation.security !== 'public')
    variants.push({ weight: 3, arbitrary: spoil('auth', authCases, (_, auth) => ({ auth })) });
  variants.push({
    weight: operation.body ? 5 : 1,
    arbitrary: valid.chain((base) =>
      spoiledBody(plan, base.body).map((body): FuzzCase => ({ ...base, body, variant: 'body' })),
    ),
  });
  return fc.oneof(...variants);
}

/** What a case needs filled in before it is sent. */
export interface Filling {
  /** The value of each ref. */
  resolve(name: string): Promise<string>;
  /** The operation's own valid credential (undefined for a public one). */
  credential(): Promise<string | undefined>;
  /** Another user's live access token (not an admin), and its refresh token. */
  otherUser(): Promise<{ token: string; refreshToken: string }>;
  endedToken: string;
  feedToken: string;
}

export interface PreparedRequest {
  raw: RawRequest;
  /** Every string taken from the case: an answer may echo these, that is no leak. */
  echoes: string[];
  /** The refs filled in, by name. */
  filled: Map<string, string>;
  /** The body as sent, refs filled in (valid bodies only). */
  sentBody: unknown;
}

async function fill(
  value: unknown,
  filling: Filling,
  filled: Map<string, string>,
): Promise<unknown> {
  if (isRef(value)) {
    const resolved = filled.get(value.$ref) ?? (await filling.resolve(value.$ref));
    filled.set(value.$ref, resolved);
    return resolved;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await fill(item, filling, filled));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: await fill(item, filling, filled),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

function formEncode(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return encodeURIComponent(wellFormed(String(JSON.stringify(value))));
  const form = new URLSearchParams();
  for (const [key, item] of Object.entries(value))
    form.append(
      wellFormed(key),
      wellFormed(typeof item === 'string' ? item : (JSON.stringify(item) ?? '')),
    );
  return form.toString();
}

function tamper(token: string): string {
  const at = token.length - 10;
  const flipped = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${flipped}${token.slice(at + 1)}`;
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectStrings(item, into);
    }
}

/** The bytes of a case, with its refs and credentials filled in. */
export async function prepare(
  plan: OperationPlan,
  fuzzCase: FuzzCase,
  filling: Filling,
): Promise<PreparedRequest> {
  const filled = new Map<string, string>();
  const echoes: string[] = [];
  let path = plan.operation.path;
  for (const [name, value] of Object.entries(fuzzCase.params)) {
    const segment = String(await fill(value, filling, filled));
    echoes.push(segment, safeDecode(segment));
    path = path.replace(`{${name}}`, segment);
  }
  path += fuzzCase.pathSuffix;
  // The problem's `instance` is the path asked for.
  echoes.push(path, safeDecode(path));

  const headers: Record<string, string> = { ...fuzzCase.headers };
  collectStrings(fuzzCase.headers, echoes);
  let query =
    typeof fuzzCase.query === 'string'
      ? fuzzCase.query
      : new URLSearchParams(
          await Promise.all(
            fuzzCase.query.map(
              async ([key, value]) =>
                [key, String(await fill(value, filling, filled))] as [string, string],
            ),
          ),
        ).toString();
  echoes.push(...query.split(/[&=]/).map(safeDecode));

  const credential = await credentialFor(fuzzCase.auth, filling);
  if (credential.header !== undefined) headers.authorization = credential.header;
  if (credential.query !== undefined)
    query = `${query}${query === '' ? '' : '&'}access_token=${encodeURIComponent(credential.query)}`;

  let body: Buffer | undefined;
  let sentBody: unknown;
  if (fuzzCase.body.kind === 'value') {
    sentBody = await fill(fuzzCase.body.value, filling, filled);
    collectStrings(sentBody, echoes);
    if (fuzzCase.body.encoding === 'form') {
      body = Buffer.from(formEncode(sentBody));
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      body = Buffer.from(JSON.stringify(sentBody) ?? 'null');
      headers['content-type'] ??= 'application/json';
    }
  } else if (fuzzCase.body.kind === 'raw') {
    body = fuzzCase.body.raw.bytes;
    echoes.push(body.toString('utf8'));
    if (fuzzCase.body.raw.contentType !== '')
      headers['content-type'] = fuzzCase.body.raw.contentType;
    if (fuzzCase.body.raw.contentEncoding !== undefined)
      headers['content-encoding'] = fuzzCase.body.raw.contentEncoding;
  }
  if (body !== undefined) headers['content-length'] = String(body.length);

  return {
    raw: {
      method: fuzzCase.method,
      path: query === '' ? path : `${path}?${query}`,
      headers,
      ...(body === undefined ? {} : { body }),
    },
    echoes: echoes.filter((echo) => echo.length >= 3),
    filled,
    sentBody,
  };
}

async function credentialFor(
  auth: AuthCase,
  filling: Filling,
): Promise<{ header?: string; query?: string }> {
  const own = async () => (await filling.credential()) ?? 'no-credential-for-a-public-operation';
  switch (auth.kind) {
    case 'valid': {
      const token = await filling.credential();
      return token === undefined ? {} : { header: `Bearer ${token}` };
    }
    case 'none':
      return {};
    case 'basic':
      return { header: 'Basic YWRtaW46YWRtaW4=' };
    case 'scheme-only':
      return { header: 'Bearer' };
    case 'lowercase-scheme':
      return { header: `bearer ${await own()}` };
    case 'double-space':
      return { header: `Bearer  ${await own()}` };
    case 'tampered':
      return { header: `Bearer ${tamper(await own())}` };
    case 'ended':
      return { header: `Bearer ${filling.endedToken}` };
    case 'feed-token':
      return { header: `Bearer ${filling.feedToken}` };
    case 'user-token':
      return { header: `Bearer ${(await filling.otherUser()).token}` };
    case 'refresh-token':
      return { header: `Bearer ${(await filling.otherUser()).refreshToken}` };
    case 'in-query':
      return { query: await own() };
    case 'header-and-query': {
      const token = await own();
      return { header: `Bearer ${token}`, query: token };
    }
    case 'garbage':
      return { header: `Bearer ${auth.value}` };
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
