import { Counter, Gauge, type Registry } from '@authpair/service-kit';
import type { RefreshFlights } from './refresh-flights';

/** How a refresh request was answered. `exchanged` is the only one that reached auth. */
export const REFRESH_RESULTS = [
  'exchanged',
  'joined',
  'shared',
  'no_cookie',
  'refused',
  'failed',
] as const;
export type RefreshResult = (typeof REFRESH_RESULTS)[number];

export interface BffMetrics {
  refresh(result: RefreshResult): void;
}

/** The backend-for-frontend's counters, on the web app's registry, every label present from the start. */
export function createBffMetrics(registry: Registry, flights: RefreshFlights): BffMetrics {
  const refreshes = new Counter({
    name: 'web_refresh_requests_total',
    help: 'Refresh requests from pages, by result: exchanged at auth, joined an exchange in flight, shared from one that just spent the token, no_cookie, refused by auth, failed (auth unreachable)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'web_refresh_tokens_remembered',
    help: 'Refresh-token digests held for sharing rotations (live and recently spent)',
    registers: [registry],
    collect() {
      this.set(flights.size);
    },
  });
  for (const result of REFRESH_RESULTS) refreshes.inc({ result }, 0);
  return { refresh: (result) => refreshes.inc({ result }) };
}
