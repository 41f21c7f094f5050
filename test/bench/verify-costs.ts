/**
 * What one token verification costs, layer by layer, without HTTP: the raw
 * RSA check, WebCrypto's (what jose calls), jose's jwtVerify as the minimal
 * Koa + jose peer calls it, and @authpair/verifier (what the resource
 * service runs) on a cache miss. In-process, so neither sockets nor a load generator blur the
 * differences; process CPU (every thread: WebCrypto's RSA runs on libuv's
 * pool), 50 verifications in flight like the bench's 50 connections,
 * rounds alternating, medians.
 *
 *   taskset -c 1 node --import tsx test/bench/verify-costs.ts [rounds]
 *
 * Pinned to one core, as the bench pins the server, so the pool's threads
 * compete with the main thread as they do there.
 */
import { constants, createPublicKey, verify as cryptoVerify, webcrypto } from 'node:crypto';
import { createTokenVerifier, createVerifier } from '@authpair/verifier';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/services';
import { TestIssuer } from '../support/test-issuer';
import { median } from './load';

const TOKENS = 20_000;
const IN_FLIGHT = 50;
const PER_ROUND = 4000;

interface Path {
  name: string;
  run(token: string): unknown;
}

async function measure(path: Path, tokens: string[], offset: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i += IN_FLIGHT) {
    const batch: unknown[] = [];
    for (let j = 0; j < IN_FLIGHT; j += 1)
      batch.push(path.run(tokens[(offset + i + j) % tokens.length] as string));
    await Promise.all(batch);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / PER_ROUND;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? '5');
  const issuer = new TestIssuer();
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = Array.from({ length: TOKENS }, (_, i) =>
    issuer.mint({ claims: { exp, username: `user${i}` } }),
  );
  const jwk = issuer.key.publicJwk as JWK;
  const keyObject = createPublicKey({ key: jwk as never, format: 'jwk' });
  const cryptoKey = await webcrypto.subtle.importKey(
    'jwk',
    jwk as webcrypto.JsonWebKey,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const split = (token: string) => {
    const dot = token.lastIndexOf('.');
    return {
      input: Buffer.from(token.slice(0, dot)),
      signature: Buffer.from(token.slice(dot + 1), 'base64url'),
    };
  };
  const localSet = createLocalJWKSet({ keys: [jwk] });
  const joseOptions = {
    algorithms: ['RS256'],
    typ: 'at+jwt',
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    clockTolerance: 5,
    maxTokenAge: 3600,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  };
  const jwksBody = JSON.stringify({ keys: [jwk] });
  const policy = {
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    clockTolerance: 5,
    maxTokenAge: 3600,
  };
  const core = createTokenVerifier(policy, () => keyObject);
  const verifierOf = (verifiedCacheSize: number) =>
    createVerifier({
      ...policy,
      jwksUrl: 'http://jwks.test/jwks',
      revocation: false,
      verifiedCacheSize,
      fetch: async () =>
        new Response(jwksBody, {
          headers: { 'content-type': 'application/json', 'cache-control': 'max-age=3600' },
        }),
    });
  // Size 0: no cache at all; 10,000: the default, its doorkeeper never admitting (every lookup misses).
  const uncached = verifierOf(0);
  const missing = verifierOf(10_000);
  await Promise.all([uncached.ready(), missing.ready()]);

  const paths: Path[] = [
    {
      name: 'node:crypto verify, synchronous (the RSA check alone)',
      run: (token) => {
        const { input, signature } = split(token);
        return cryptoVerify(
          'sha256',
          input,
          { key: keyObject, padding: constants.RSA_PKCS1_PADDING },
          signature,
        );
      },
    },
    {
      name: 'WebCrypto subtle.verify (what jose calls)',
      run: (token) => {
        const { input, signature } = split(token);
        return webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', cryptoKey, signature, input);
      },
    },
    {
      name: 'jose jwtVerify, local JWKS (the Koa + jose peer)',
      run: (token) => jwtVerify(token, localSet, joseOptions),
    },
    {
      name: 'jose jwtVerify, KeyObject resolver',
      run: (token) => jwtVerify(token, async () => keyObject, joseOptions),
    },
    { name: '@authpair/verifier core (createTokenVerifier)', run: (token) => core(token) },
    { name: '@authpair/verifier, cache off (size 0)', run: (token) => uncached.verify(token) },
    {
      name: '@authpair/verifier, default cache, every lookup a miss',
      run: (token) => missing.verify(token),
    },
  ];
  const results = new Map<Path, number[]>(paths.map((path) => [path, []]));
  // Warm-up: JIT, jose's CryptoKey cache.
  for (const path of paths) await measure(path, tokens, 0);
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? paths : [...paths].reverse();
    for (const path of order)
      results.get(path)?.push(await measure(path, tokens, (round * PER_ROUND * 7) % TOKENS));
  }
  process.stdout.write(
    `CPU per verification (µs, every thread), median of ${rounds} rounds of ${PER_ROUND}, ${IN_FLIGHT} in flight:\n`,
  );
  for (const path of paths) {
    const values = results.get(path) ?? [];
    process.stdout.write(
      `  ${median(values).toFixed(1).padStart(6)}  ${path.name}   [${values.map((v) => v.toFixed(0)).join(', ')}]\n`,
    );
  }
  await Promise.all([uncached.close(), missing.close()]);
}

void main();
