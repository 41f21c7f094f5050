/**
 * Hostile inputs for the route fuzzer: strings, JSON values, header values,
 * path segments and query strings that a careless parser, database driver
 * or error handler trips over. Pure generators, no I/O.
 */
import fc from 'fast-check';

const LONG = 'a'.repeat(5000);

/** Strings that broke someone's service once: injection, encodings, numbers out of range, invisibles. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '"; SELECT pg_sleep(5); --',
  '$1',
  '%s%s%s%n',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Log4Shell payload, as a plain string on purpose
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\u202eadmin',
  '\ufeffadmin',
  'admin\u200b',
  'Ａｄｍｉｎ',
  'ſam',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(40),
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x7fffffff',
  '9223372036854775808',
  '18446744073709551616',
  '340282366920938463463374607431768211456',
  '99999999999999999999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '__proto__',
  'constructor',
  'aprt_',
  `aprt_${'A'.repeat(43)}`,
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'a'.repeat(300),
  LONG,
] as const;

/** Numbers at and past the edges of the integer types a database or parser holds. */
export const EDGE_NUMBERS = [
  '-1',
  '0',
  '1.5',
  '1e3',
  '1e309',
  '+1',
  '%201',
  '0x10',
  '2147483648',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551615',
  '18446744073709551616',
  '18446744073709551617',
  '99999999999999999999',
  '340282366920938463463374607431768211456',
  '1:18446744073709551616',
  '-9223372036854775809',
] as const;

/** Any string: from the list, or random code units (lone surrogates included), or whole graphemes. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
);

/** Any JSON value where a string was expected: wrong types, operator objects, nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      0,
      -1,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      [],
      ['a', 'b'],
      {},
      { $ne: null },
      { $gt: '' },
      { toString: 'x' },
    ),
  },
);

/** Member names a schema does not have, and those that reach prototypes. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', 'USERNAME', 'password ', ''),
  fc.string({ maxLength: 20 }),
);

/** What a node:http client can put in a header value: visible ASCII and Latin-1, tabs and spaces. */
const headerChar = fc
  .oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
  )
  .map((code) => String.fromCharCode(code));

export function headerValue(maxLength = 200): fc.Arbitrary<string> {
  return fc.string({ unit: headerChar, maxLength });
}

/** Client addresses as a proxy might forward them (the fuzz env trusts one hop). */
export const hostileForwardedFor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'not-an-ip',
    '999.999.999.999',
    '1.2.3.4, garbage',
    '::ffff:1.2.3.4',
    '64:ff9b::102:304',
    '64:ff9b:1::1.2.3.4',
    '2002:102:304::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fe80::1%eth0',
    '[::1]:8080',
    '1.2.3.4:80',
    ' ',
    ',,,',
    'unknown',
    // Latin-1 letters: one byte each on the wire, two in UTF-8.
    'é'.repeat(40),
  ),
  fc.ipV4(),
  fc.ipV6(),
  headerValue(60),
);

/** Extra request headers: labels, proxies, agents, content negotiation, a forged Host. */
export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'x-request-id': headerValue(300),
    'x-forwarded-for': hostileForwardedFor,
    'user-agent': fc.oneof(headerValue(2000), fc.constant(`agent\x85${'ü'.repeat(600)}`)),
    accept: fc.oneof(fc.constantFrom('*/*', 'text/html', 'application/xml'), headerValue(60)),
    'accept-encoding': fc.oneof(
      fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
      headerValue(30),
    ),
    origin: fc.constantFrom('http://evil.example', 'null', 'http://localhost:4002'),
    cookie: headerValue(200),
    host: fc.constantFrom('evil.example', '[::1]', 'localhost:1'),
    'content-type': fc.constantFrom('text/plain', 'application/json', 'multipart/form-data'),
  },
  { requiredKeys: [] },
);

/** A path segment in place of an id: hostile text, percent-encoded or raw. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((value) => enc(value)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%zz',
      '%',
      '%00',
      '%2e%2e',
      '%2e%2e%2f%2e%2e',
      '%C0%AF',
      '%E0%80%AF',
      '%ED%A0%80',
      '%FF',
      '..',
      '.',
      'user',
      'admin',
      'USER',
    ),
  },
  { weight: 2, arbitrary: fc.uuid() },
);

/** A query string that is not what the operation reads: unknown keys, repeats, broken encodings. */
export function hostileQuery(knownKeys: readonly string[]): fc.Arbitrary<string> {
  const key =
    knownKeys.length > 0 ? fc.oneof(fc.constantFrom(...knownKeys), hostileKey) : hostileKey;
  const known = knownKeys.length > 0 ? fc.constantFrom(...knownKeys) : hostileKey;
  const pair = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(key, hostileString).map(([k, v]) => `${enc(k)}=${enc(v)}`) },
    // Numbers where the service parses one: signs, exponents, past 2^63 and 2^64.
    {
      weight: 2,
      arbitrary: fc
        .tuple(known, fc.constantFrom(...EDGE_NUMBERS))
        .map(([k, v]) => `${enc(k)}=${v}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%zz=1', 'a=%', '=x', '&', 'a[b]=1', 'a[]=1&a[]=2', '%00=%00'),
    },
  );
  return fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => pairs.join('&'));
}

/** A lone surrogate has no UTF-8 form: it becomes U+FFFD, as a browser would send it. */
export function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\ufffd');
}

function enc(value: string): string {
  return encodeURIComponent(wellFormed(value));
}

/** Request methods other than the operation's: known ones, WebDAV, and one no parser knows. */
export const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'PROPFIND',
  'MKCOL',
  'LOCK',
  'SEARCH',
  'PURGE',
  'BREW',
] as const;

/** A raw body a JSON or form parser must refuse (or read) without harm. */
export function hostileRawBody(valid: unknown): fc.Arbitrary<RawBody> {
  const json = JSON.stringify(valid ?? {});
  return fc.oneof(
    // Truncated JSON, invalid UTF-8, random bytes.
    fc
      .nat({ max: Math.max(0, json.length - 1) })
      .map((cut) => raw(json.slice(0, cut), 'application/json')),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => raw(Buffer.from(bytes), 'application/json')),
    fc.constantFrom(
      raw(
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
        'application/json',
      ),
      raw('{"a":1,"a":2}', 'application/json'),
      raw(`\ufeff${json}`, 'application/json'),
      raw('{"password": 1e99999}', 'application/json'),
      raw(`${'['.repeat(1500)}${']'.repeat(1500)}`, 'application/json'),
      raw(`{"x":"${LONG}"}`, 'application/json'),
      raw('', 'application/json'),
    ),
    // The right JSON with the wrong media type, charset or coding.
    fc
      .constantFrom(
        'text/plain',
        'application/json; charset=iso-8859-1',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json;;;',
        'application/problem+json',
        '',
      )
      .map((type) => raw(json, type)),
    fc
      .constantFrom('gzip', 'br', 'deflate', 'identity', 'gzip, gzip')
      .map((coding) => ({ ...raw(json, 'application/json'), contentEncoding: coding })),
    // Form encodings a parser must refuse or read once.
    fc.constantFrom(
      raw('grant_type=refresh_token&grant_type=refresh_token', 'application/x-www-form-urlencoded'),
      raw('token=%zz&token_type_hint', 'application/x-www-form-urlencoded'),
      raw('a=%00&b=%C0%AF&=&&', 'application/x-www-form-urlencoded'),
    ),
  );
}

export interface RawBody {
  bytes: Buffer;
  contentType: string;
  contentEncoding?: string;
}

function raw(body: string | Buffer, contentType: string): RawBody {
  return { bytes: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType };
}
