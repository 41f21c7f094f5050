import { Histogram, type Registry } from '@authpair/service-kit';
import type { PasswordHasherOptions } from './password-hasher';

/**
 * `password_hash_duration_seconds{operation="hash"|"verify"}`: how long a
 * bcrypt hash or compare took as the request saw it, waiting for a worker
 * thread included. The buckets centre on cost 12 (about 250 ms a core).
 */
export function passwordHashMetrics(
  registry: Registry,
): NonNullable<PasswordHasherOptions['observe']> {
  const duration = new Histogram({
    name: 'password_hash_duration_seconds',
    help: 'Password hashing and verification time, queueing for a worker included',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (operation, seconds) => duration.observe({ operation }, seconds);
}
