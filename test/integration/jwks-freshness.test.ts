import { type ReadResponse, request } from '../support/http';
import { expectProblem } from '../support/problems';
import { useServices } from '../support/services';

// The rotation schedule lets a pending key sign once every replica has
// published it for SIGNING_KEY_REFRESH_MS. A replica that cannot reread the
// keys must not go on serving its last set with a long max-age: a verifier
// could cache a set without the new key exactly when it starts signing.

const REFRESH_MS = 200;
const fixture = useServices({ auth: { SIGNING_KEY_REFRESH_MS: String(REFRESH_MS) } });

async function jwksUntil(done: (response: ReadResponse) => boolean): Promise<ReadResponse> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await request(`${fixture.auth.url}/.well-known/jwks.json`);
    if (done(response) || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the JWKS of a replica that cannot reread its keys', () => {
  it('is answered 503 with Retry-After once the view is older than the refresh interval, and served again after', async () => {
    const { pool } = fixture.auth;
    const fresh = await jwksUntil(() => true);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('cache-control')).toBe('public, max-age=300');

    // Every reread fails from now on; what the replica read before grows old.
    await pool.query('ALTER TABLE signing_keys RENAME TO signing_keys_away');
    try {
      const stale = await jwksUntil((response) => response.status !== 200);
      expectProblem(stale, 503, 'service_unavailable');
      expect(stale.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await pool.query('ALTER TABLE signing_keys_away RENAME TO signing_keys');
    }

    const recovered = await jwksUntil((response) => response.status === 200);
    expect(recovered.status).toBe(200);
    expect(recovered.body).toEqual(fresh.body);
  });
});
