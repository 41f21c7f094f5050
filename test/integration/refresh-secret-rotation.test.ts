import { refresh, registerAndLogin } from '../support/http';
import { useServices } from '../support/services';

// REFRESH_TOKEN_SECRET is a list, current first: the first derives each
// rotation's child, any listed one recognises a child when its parent is
// presented again in the grace window. So the secret changes in rolling
// restarts (docs/sessions.md) while replicas disagree on it, and a retry that
// the load balancer sends to the other replica still gets the same child.
const OLD = 'old-refresh-token-secret-0123456789abcdefghij';
const NEW = 'new-refresh-token-secret-0123456789abcdefghij';

const services = useServices({ auth: false });

/** One client whose response was lost: it retries at `other`, while another tab holds the child. */
async function retryAcross(first: { url: string }, other: { url: string }) {
  const { refreshToken } = await registerAndLogin(first.url);
  const lost = (await refresh(first.url, refreshToken)).body;
  const retry = await refresh(other.url, refreshToken);
  const child = await refresh(first.url, lost.refresh_token);
  return {
    retry: retry.status,
    sameChild: retry.body.refresh_token === lost.refresh_token,
    child: child.status,
  };
}

describe('a REFRESH_TOKEN_SECRET rotated in a rolling restart', () => {
  it('keeps the session when a retry lands on a replica that lists the old secret behind the new one', async () => {
    const before = await services.startAuth({ REFRESH_TOKEN_SECRET: OLD });
    const after = await services.startAuth({ REFRESH_TOKEN_SECRET: `${NEW},${OLD}` });
    expect(await retryAcross(before, after)).toEqual({ retry: 200, sameChild: true, child: 200 });
  });

  it('keeps the session both ways between replicas listing "old,new" and "new,old"', async () => {
    const announcing = await services.startAuth({ REFRESH_TOKEN_SECRET: `${OLD},${NEW}` });
    const switched = await services.startAuth({ REFRESH_TOKEN_SECRET: `${NEW},${OLD}` });
    expect(await retryAcross(announcing, switched)).toEqual({
      retry: 200,
      sameChild: true,
      child: 200,
    });
    expect(await retryAcross(switched, announcing)).toEqual({
      retry: 200,
      sameChild: true,
      child: 200,
    });
  });
});
