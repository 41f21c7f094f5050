/**
 * JSON Web Keys as the auth service publishes them (RFC 7517, RFC 7518 §6.3)
 * and the schema the resource service parses a fetched set with. The schema
 * accepts only what this project issues: RSA signature keys for RS256 with a
 * modulus of at least 2048 bits, and never a private member.
 */
import { z } from 'zod';

/** An RSA public key for RS256 signatures (RFC 7518 §6.3.1), as published. */
export const rsaPublicJwkShape = z.object({
  /** RFC 7517 §4.1. */
  kty: z.literal('RSA'),
  /** RFC 7517 §4.5: referenced by the token header's `kid`. */
  kid: z.string().min(1).max(128).meta({ description: 'The RFC 7638 thumbprint of the key.' }),
  /** RFC 7517 §4.4: the one algorithm this key is used with. */
  alg: z.literal('RS256'),
  /** RFC 7517 §4.2: signatures only. */
  use: z.literal('sig'),
  /** RFC 7518 §6.3.1.1: modulus, base64url. */
  n: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** RFC 7518 §6.3.1.2: public exponent, base64url. */
  e: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .max(8),
});
export type RsaPublicJwk = z.infer<typeof rsaPublicJwkShape>;

/** RFC 7517 §5: a JWK Set, as `GET /.well-known/jwks.json` answers. */
export const jwkSetSchema = z.object({ keys: z.array(rsaPublicJwkShape) });
export type JwkSet = z.infer<typeof jwkSetSchema>;

/** Members that make a JWK private (RFC 7518 §6.3.2); never published. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

/** Smallest RSA modulus accepted, in bits (RFC 7518 §3.3). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** Bits in a base64url-encoded big-endian unsigned integer. */
export function base64urlIntegerBits(value: string): number {
  const bytes = Buffer.from(value, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  if (first === bytes.length) return 0;
  const lead = bytes[first] as number;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(lead));
}

/** Parses one published key; rejects anything this project would never publish. */
export const rsaPublicJwkSchema = rsaPublicJwkShape
  .loose()
  .refine((jwk) => base64urlIntegerBits(jwk.n) >= MIN_RSA_MODULUS_BITS, {
    message: `the RSA modulus must have at least ${MIN_RSA_MODULUS_BITS} bits`,
  })
  .transform(({ kty, kid, alg, use, n, e }): RsaPublicJwk => ({ kty, kid, alg, use, n, e }));

/** The outer shape of a JWKS document; each key is then parsed on its own. */
export const jwkSetEnvelopeSchema = z.object({ keys: z.array(z.unknown()).max(100) });

/** A parsed JWKS: the usable keys, and how many were skipped as unusable. */
export interface ParsedJwkSet {
  keys: RsaPublicJwk[];
  ignored: number;
}

/**
 * Parses a fetched JWKS document. Keys of another type or algorithm are
 * skipped (RFC 7517 §5 lets a set carry keys a consumer cannot use); a key
 * with private members, or a document of the wrong shape, fails the whole
 * set, because it means the issuer is misconfigured.
 */
export function parseJwkSet(document: unknown): ParsedJwkSet {
  const envelope = jwkSetEnvelopeSchema.parse(document);
  const keys: RsaPublicJwk[] = [];
  let ignored = 0;
  for (const candidate of envelope.keys) {
    if (
      typeof candidate === 'object' &&
      candidate !== null &&
      PRIVATE_JWK_MEMBERS.some((member) => member in candidate)
    ) {
      throw new Error('the JWKS publishes a private key member');
    }
    const parsed = rsaPublicJwkSchema.safeParse(candidate);
    if (parsed.success) keys.push(parsed.data);
    else ignored += 1;
  }
  return { keys, ignored };
}
