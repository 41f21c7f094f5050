import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/** The stored hash of a refresh token (SHA-256, as the auth service keeps it). */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export interface TokenRow {
  id: string;
  session_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
  replaced_by: string | null;
  parent_id: string | null;
  /** Whether the database's clock is past the token's expiry. */
  expired: boolean;
}

/** The stored row of a refresh token, found by its hash. */
export async function tokenRow(pool: Pool, token: string): Promise<TokenRow> {
  const { rows } = await pool.query<TokenRow>(
    `SELECT id, session_id, used_at, revoked_at, replaced_by, parent_id, now() >= expires_at AS expired
       FROM refresh_tokens WHERE token_hash = $1`,
    [tokenHash(token)],
  );
  if (rows[0] === undefined) throw new Error('no such refresh token');
  return rows[0];
}

/** The live (neither spent nor revoked) tokens of a session: rotation keeps this at one. */
export async function liveTokenIds(pool: Pool, sessionId: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM refresh_tokens
      WHERE session_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
    [sessionId],
  );
  return rows.map((row) => row.id);
}

export async function sessionRow(
  pool: Pool,
  sessionId: string,
): Promise<{ revoked_at: Date | null; revoked_reason: string | null; expired: boolean }> {
  const { rows } = await pool.query(
    'SELECT revoked_at, revoked_reason, now() >= expires_at AS expired FROM sessions WHERE id = $1',
    [sessionId],
  );
  if (rows[0] === undefined) throw new Error('no such session');
  return rows[0];
}

/** The value of one sample of a Prometheus text exposition, or 0 when absent. */
export function metricValue(exposition: string, name: string, labels = ''): number {
  const escaped = `${name}{${labels}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = exposition
    .split('\n')
    .find((candidate) => new RegExp(`^${escaped}[^}]*\\} `).test(candidate));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
