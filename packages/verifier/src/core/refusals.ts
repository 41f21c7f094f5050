import { errors as joseErrors } from 'jose';

/**
 * Why the verification core refused a token, before it is put in words.
 * A service chooses the words (`describeRefusal`); the checks are the same
 * for everyone.
 */
export type TokenRefusal =
  | { kind: 'too_long' }
  | { kind: 'not_compact' }
  /** A header that names a key by value or URL (RFC 8725 §3.10). */
  | { kind: 'key_bearing_header'; header: string }
  | { kind: 'kid' }
  | { kind: 'expired' }
  | { kind: 'claim'; claim: string }
  | { kind: 'signature' }
  | { kind: 'algorithm' }
  | { kind: 'unsupported' }
  | { kind: 'malformed' }
  /** Verified, but a claim the profile requires is missing or of the wrong type. */
  | { kind: 'claims' }
  | { kind: 'other' };

/** Puts a refusal in words for `error_description`: printable ASCII, no quotes or backslashes. */
export type DescribeRefusal = (refusal: TokenRefusal) => string;

/** Says which check failed: what the resource service has always told its clients. */
export const describeRefusal: DescribeRefusal = (refusal) => {
  switch (refusal.kind) {
    case 'too_long':
      return 'the token is too long';
    case 'not_compact':
      return 'the token is not a compact JWS';
    case 'key_bearing_header':
      return `the ${refusal.header} header is not accepted`;
    case 'kid':
      return 'the kid header is missing or malformed';
    case 'expired':
      return 'the token has expired';
    case 'claim':
      return `the ${refusal.claim} claim is invalid`;
    case 'signature':
      return 'the signature is invalid';
    case 'algorithm':
      return 'the algorithm is not allowed';
    case 'unsupported':
      return 'the token uses an unsupported feature';
    case 'malformed':
      return 'the token is malformed';
    case 'claims':
      return 'the token lacks required claims';
    case 'other':
      return 'the token is invalid';
  }
};

/** The refusal a jose error stands for. */
export function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof joseErrors.JWTExpired) return { kind: 'expired' };
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return { kind: 'claim', claim: error.claim };
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { kind: 'signature' };
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return { kind: 'algorithm' };
  if (error instanceof joseErrors.JOSENotSupported) return { kind: 'unsupported' };
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid)
    return { kind: 'malformed' };
  return { kind: 'other' };
}
