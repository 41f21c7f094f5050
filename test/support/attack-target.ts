import type { RunningResourceService } from '@authpair/resource';
import { type ReadResponse, request } from './http';
import { startResource } from './services';
import { TestIssuer } from './test-issuer';

/**
 * A protected server, verifying against a stand-in issuer whose tokens the
 * tests forge: the resource service here; one of the verifier's adapters
 * in test/security/adapters (see adapter-target.ts).
 */
export interface AttackTarget {
  issuer: TestIssuer;
  /** Where `GET /protected` is served. */
  resource: Pick<RunningResourceService, 'url'>;
  /** `GET /protected` with `Authorization: Bearer <token>`. */
  bearer(token: string): Promise<ReadResponse>;
  /** `GET /protected` with these headers, and an optional query string. */
  get(headers: Record<string, string>, query?: string): Promise<ReadResponse>;
  stop(): Promise<void>;
}

export async function startAttackTarget(env: Record<string, string> = {}): Promise<AttackTarget> {
  const issuer = await new TestIssuer().start();
  const resource = await startResource(issuer.url, { JWKS_URL: issuer.jwksUrl, ...env });
  const get = (headers: Record<string, string>, query = '') =>
    request(`${resource.url}/protected${query}`, { headers });
  return {
    issuer,
    resource,
    get,
    bearer: (token) => get({ authorization: `Bearer ${token}` }),
    async stop() {
      await resource.stop(1000);
      await issuer.stop();
    },
  };
}
