import { Counter, Gauge, type Registry } from '@authpair/service-kit';
import type { RefusalReason, RevocationList, VerifierObserver } from '@authpair/verifier';

const REFUSAL_REASONS: RefusalReason[] = ['no_session', 'session_ended', 'list_outdated'];

/**
 * The revocation list's metrics: how stale it is (the number to alert on),
 * failed reads, and the tokens it refused. `observer` goes to the
 * verifier; `observe` registers the gauges that read the list.
 */
export function createRevocationMetrics(registry: Registry) {
  const failures = new Counter({
    name: 'revocation_feed_read_failures_total',
    help: 'Reads of the revocation feed that failed (unreachable, slow, refused, malformed)',
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'revocation_refusals_total',
    help: 'Verified access tokens refused by the revocation step, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of REFUSAL_REASONS) refusals.inc({ reason }, 0);

  const observer: Pick<VerifierObserver, 'revocationReadFailed' | 'revocationRefused'> = {
    revocationReadFailed: () => failures.inc(),
    revocationRefused: (reason) => refusals.inc({ reason }),
  };

  function observe(list: RevocationList): void {
    new Gauge({
      name: 'revocation_feed_lag_seconds',
      help: 'Seconds since the last complete read of the revocation feed was sent (+Inf before the first)',
      registers: [registry],
      collect() {
        this.set(list.lagMs() / 1000);
      },
    });
    new Gauge({
      name: 'revocation_list_sessions',
      help: 'Ended sessions currently held by the revocation list',
      registers: [registry],
      collect() {
        this.set(list.size);
      },
    });
  }

  return { observer, observe };
}
