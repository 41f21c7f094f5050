import type { RunningResourceService } from '@authpair/resource';
import { type ReadResponse, request } from './http';
import { startResource } from './services';
import { TestIssuer } from './test-issuer';

/** The resource service, verifying against a stand-in issuer whose tokens the tests forge. */
export interface AttackTarget {
  issuer: TestIssuer;
  resource: RunningResourceService;
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
