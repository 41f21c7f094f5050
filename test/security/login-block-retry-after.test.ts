import { Pool } from 'pg';
import { GOOD_PASSWORD, registerAndLogin, request } from '../support/http';
import { expectProblem } from '../support/problems';
import { useServices } from '../support/services';

// The Retry-After of a block: the attempt that takes an account
// over its limit blocks it for a whole window. Attempts racing it past the
// "already blocked?" read are refused too, and must be told the same: before
// this was fixed they got the rest of the failures' old window, a few
// seconds when it was nearly over, and met another 429 when they came back.

const MAX = 2;
const WINDOW = 600;
const services = useServices({
  auth: { LOGIN_ACCOUNT_MAX_FAILURES: String(MAX), LOGIN_ACCOUNT_WINDOW: String(WINDOW) },
});

describe('a login block', () => {
  it('tells every attempt refused by a new block how long the block lasts, racing ones too', async () => {
    const { url } = services.auth;
    const { username } = await registerAndLogin(url);
    const wrong = () =>
      request(`${url}/login`, { body: { username, password: `${GOOD_PASSWORD}!` } });
    for (let i = 0; i < MAX; i += 1) expectProblem(await wrong(), 401, 'invalid_credentials');
    // The failures' window nearly over, as after 597 s of waiting: this file's database
    // holds the one account's counters only.
    const pool = new Pool({ connectionString: services.db.url });
    try {
      const aged = await pool.query(
        `UPDATE rate_limits SET expire = $1 WHERE key LIKE 'login_account%'`,
        [Date.now() + 3000],
      );
      expect(aged.rowCount).toBe(2); // the attempts' row and the failures' row
    } finally {
      await pool.end();
    }

    const burst = await Promise.all(Array.from({ length: 8 }, wrong));

    for (const response of burst) expectProblem(response, 429, 'rate_limited');
    const told = burst.map((response) => Number(response.headers.get('retry-after')));
    // Each is the whole window; and the block indeed lasts that long.
    expect(told).toEqual(told.map(() => WINDOW));
    const later = await wrong();
    expectProblem(later, 429, 'rate_limited');
    expect(Number(later.headers.get('retry-after'))).toBeGreaterThan(WINDOW - 10);
  });
});
