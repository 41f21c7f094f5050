import { type AuditEvent, auditEventPageSchema } from '@authpair/contracts';
import { adminForThisFile, runAdmin } from '../support/admin';
import {
  bearer,
  GOOD_PASSWORD,
  postForm,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { authEnvironment, useServices } from '../support/services';

/**
 * The audit trail: append-only in the database, written with the change it
 * records, readable through the admin API, and never holding a secret.
 */
const fixture = useServices();
const admins = adminForThisFile(fixture);

async function events(query: string): Promise<AuditEvent[]> {
  const response = await request(`${fixture.auth.url}/admin/audit-events?${query}`, {
    headers: bearer(admins.admin.token),
  });
  expect(response.status).toBe(200);
  return auditEventPageSchema.parse(response.body).events;
}

describe('the audit_events table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, whoever asks', async () => {
    const { pool } = fixture.auth;
    const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM audit_events');
    expect(Number(rows[0]?.count)).toBeGreaterThan(0);
    for (const statement of [
      "UPDATE audit_events SET detail = '{}'",
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
    ])
      await expect(pool.query(statement)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('audit_events is append-only'),
      });
    const after = await pool.query<{ count: string }>('SELECT count(*) FROM audit_events');
    expect(after.rows[0]?.count).toBe(rows[0]?.count);
  });
});

describe('events', () => {
  it('record logins, failed ones included, with the address, our request id and the client’s apart', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const headers = { 'x-request-id': `audit-${user.id}` };
    const failedLogin = await request(`${fixture.auth.url}/login`, {
      body: { username: user.username, password: 'not the password at all' },
      headers,
    });
    await request(`${fixture.auth.url}/login`, {
      body: { username: uniqueUsername('nobody'), password: GOOD_PASSWORD },
      headers: { 'x-request-id': `audit-unknown-${user.id}` },
    });
    const mine = await events(`user_id=${user.id}`);
    expect(mine.map((event) => event.type)).toEqual(['login_failed', 'login_succeeded']);
    expect(mine[0]).toMatchObject({
      actor: { kind: 'anonymous', user_id: null },
      target_user_id: user.id,
      client_address: expect.stringMatching(/127\.0\.0\.1/),
      request_id: failedLogin.headers.get('x-request-id'),
      client_request_id: `audit-${user.id}`,
      detail: { reason: 'invalid_credentials' },
    });
    expect(mine[0]?.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(mine[1]).toMatchObject({ client_request_id: null });
    expect(mine[1]).toMatchObject({
      actor: { kind: 'user', user_id: user.id },
      detail: { session_id: expect.any(String) },
    });
    // An unknown name leaves a row too (the same work as a known one), naming nobody.
    const failed = await events('type=login_failed');
    expect(
      failed.find((event) => event.client_request_id === `audit-unknown-${user.id}`),
    ).toMatchObject({
      target_user_id: null,
      detail: { reason: 'invalid_credentials' },
    });
  });

  it('never take a client’s X-Request-Id for ours, even one that names another request', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const wrong = { username: user.username, password: 'not the password at all' };
    const first = await request(`${fixture.auth.url}/login`, { body: wrong });
    const firstId = first.headers.get('x-request-id') as string;
    // Another client replays that id, to make its own event point at the first request's log lines.
    const replay = await request(`${fixture.auth.url}/login`, {
      body: wrong,
      headers: { 'x-request-id': firstId },
    });

    const failed = (await events(`user_id=${user.id}&type=login_failed`)).reverse();
    expect(
      failed.map(({ request_id, client_request_id }) => ({ request_id, client_request_id })),
    ).toEqual([
      { request_id: firstId, client_request_id: null },
      { request_id: replay.headers.get('x-request-id'), client_request_id: firstId },
    ]);
    expect(replay.headers.get('x-request-id')).not.toBe(firstId);
  });

  it('record refresh-token reuse and every session it ends', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const child = await refresh(fixture.auth.url, user.refreshToken);
    await refresh(fixture.auth.url, child.body.refresh_token);
    await refresh(fixture.auth.url, user.refreshToken);
    const mine = await events(`user_id=${user.id}`);
    expect(mine.map((event) => event.type).slice(0, 2)).toEqual([
      'refresh_token_reused',
      'session_revoked',
    ]);
    expect(mine[1]?.detail).toEqual({
      session_id: expect.any(String),
      reason: 'refresh_token_reuse',
    });
  });

  it('record role changes and disabling by the admin who made them, not a change that was refused', async () => {
    const user = await registerAndLogin(fixture.auth.url);
    const asAdmin = (method: string, path: string) =>
      request(`${fixture.auth.url}/admin/users/${path}`, {
        method,
        headers: bearer(admins.admin.token),
      });
    await asAdmin('PUT', `${user.id}/roles/admin`);
    await asAdmin('DELETE', `${user.id}/roles/admin`);
    await asAdmin('POST', `${user.id}/disable`);
    await asAdmin('POST', `${user.id}/enable`);
    expect((await asAdmin('DELETE', `${admins.admin.id}/roles/admin`)).status).toBe(409);

    const mine = await events(`user_id=${user.id}`);
    expect(mine.map((event) => event.type)).toEqual([
      'user_enabled',
      'user_disabled',
      // Newest first: the session the revocation ended, then the revocation.
      'session_revoked',
      'role_revoked',
      'role_granted',
      'login_succeeded',
    ]);
    for (const event of mine.slice(0, 5))
      expect(event.actor).toEqual({ kind: 'user', user_id: admins.admin.id });
    expect(mine.find((event) => event.type === 'session_revoked')?.detail.reason).toBe(
      'role_changed',
    );
    const adminsOwn = await events(`user_id=${admins.admin.id}&type=role_revoked`);
    expect(adminsOwn.filter((event) => event.target_user_id === admins.admin.id)).toEqual([]);
  });

  it('record key state changes, as the service or as auth-admin', async () => {
    const env = authEnvironment(fixture.db.url);
    const rotated = await runAdmin(['keys', 'rotate', '--json'], env);
    const pending = rotated.json.pending.kid as string;
    const previous = rotated.json.active.kid as string;
    expect((await runAdmin(['keys', 'activate', pending, '--force'], env)).code).toBe(0);
    expect((await runAdmin(['keys', 'retire', previous, '--force'], env)).code).toBe(0);

    const keys = (await events('limit=100')).filter((event) =>
      event.type.startsWith('signing_key'),
    );
    expect(
      keys.map(({ type, actor, detail }) => [type, actor.kind, detail.kid, detail.forced]),
    ).toEqual([
      ['signing_key_retired', 'cli', previous, true],
      ['signing_key_activated', 'cli', pending, true],
      ['signing_key_created', 'cli', pending, undefined],
      ['signing_key_created', 'service', previous, undefined],
    ]);
  });
});

describe('reading the trail', () => {
  it('pages newest first until next_cursor is null, and refuses a forged cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await request(
        `${fixture.auth.url}/admin/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: bearer(admins.admin.token) },
      );
      const page = auditEventPageSchema.parse(response.body);
      seen.push(...page.events.map((event) => event.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    const ids = seen.map(BigInt);
    expect(ids.length).toBeGreaterThan(6);
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    for (const cursor of ['-1', '9999999999999999999', 'x']) {
      const forged = await request(`${fixture.auth.url}/admin/audit-events?cursor=${cursor}`, {
        headers: bearer(admins.admin.token),
      });
      expect(forged.status).toBe(400);
    }
  });

  it('holds no password, token or refresh token', async () => {
    const password = 'an audit-proof passphrase 42';
    const username = uniqueUsername();
    await request(`${fixture.auth.url}/register`, { body: { username, password } });
    const login = await request(`${fixture.auth.url}/login`, { body: { username, password } });
    await request(`${fixture.auth.url}/login`, { body: { username, password: `${password}!` } });
    await postForm(`${fixture.auth.url}/revoke`, { token: login.body.refresh_token });
    const { rows } = await fixture.auth.pool.query('SELECT * FROM audit_events');
    const everything = JSON.stringify(rows);
    expect(everything).toContain('token_revoked');
    for (const secret of [
      password,
      login.body.access_token as string,
      login.body.refresh_token as string,
      admins.admin.token,
    ])
      expect(everything).not.toContain(secret);
  });
});
