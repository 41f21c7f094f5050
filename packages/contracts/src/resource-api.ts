/** Response bodies of the resource service. */
import type { AccessTokenClaims } from './claims';

/** The claims of the caller's token that the resource service used. */
export type VerifiedClaims = Pick<
  AccessTokenClaims,
  'sub' | 'username' | 'iss' | 'aud' | 'exp' | 'iat' | 'jti'
> &
  Partial<Pick<AccessTokenClaims, 'scope' | 'sid' | 'client_id'>>;

/** `GET /protected` 200 body. */
export interface ProtectedResponse {
  /** `Hello, <username>! This is a protected resource.` */
  message: string;
  /** The verified claims the answer was built from. */
  claims: VerifiedClaims;
}
