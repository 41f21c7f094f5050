import type { RunningAuthService } from '@authpair/auth';
import { GOOD_PASSWORD, type ReadResponse, request, uniqueUsername } from '../support/http';
import { expectProblem } from '../support/problems';
import { useServices } from '../support/services';

// Catalogue 21: repeated failed logins meet 429 with Retry-After, per
// account and per client address, with counters every replica shares, and
// no lockout outlives its window. Two replicas of the auth service share one
// database; client addresses are set through X-Forwarded-For (TRUST_PROXY).
// Windows are an hour, so a slow machine cannot see one expire mid-test;
// a third instance with a two-second account window shows the block lift.

const ACCOUNT_MAX = 3;
const WINDOW = 3600;
const SHORT_WINDOW = 2;
const ADDRESS_MAX = 5;
const REGISTRATION_MAX = 3;
/** The most a 429 caused only by attempts still in flight may ask to wait, in seconds. */
const IN_FLIGHT_RETRY_AFTER = 2;

const LIMITS = {
  TRUST_PROXY: 'true',
  LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX),
  LOGIN_ACCOUNT_WINDOW: String(WINDOW),
  LOGIN_ADDRESS_MAX_FAILURES: String(ADDRESS_MAX),
  LOGIN_ADDRESS_WINDOW: String(WINDOW),
  REGISTRATION_ADDRESS_MAX: String(REGISTRATION_MAX),
  REGISTRATION_ADDRESS_WINDOW: String(WINDOW),
};

const services = useServices({ auth: false });
let replicaA: RunningAuthService;
let replicaB: RunningAuthService;
let shortWindow: RunningAuthService;

beforeAll(async () => {
  replicaA = await services.startAuth(LIMITS);
  replicaB = await services.startAuth(LIMITS);
  shortWindow = await services.startAuth({ ...LIMITS, LOGIN_ACCOUNT_WINDOW: String(SHORT_WINDOW) });
});

let addresses = 0;
/** A client address no other test uses (from 198.18.0.0/15, reserved for tests). */
function freshAddress(): string {
  addresses += 1;
  return `198.18.${addresses >> 8}.${addresses & 255}`;
}

function post(
  path: string,
  body: unknown,
  from: string,
  replica: RunningAuthService = replicaA,
): Promise<ReadResponse> {
  return request(`${replica.url}${path}`, { body, headers: { 'x-forwarded-for': from } });
}

const login = (username: string, password: string, from: string, replica?: RunningAuthService) =>
  post('/login', { username, password }, from, replica);

async function registered(): Promise<string> {
  const username = uniqueUsername();
  const response = await post('/register', { username, password: GOOD_PASSWORD }, freshAddress());
  expect(response.status).toBe(201);
  return username;
}

function expectRateLimited(response: ReadResponse, maxWait: number): void {
  expectProblem(response, 429, 'rate_limited');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxWait);
}

/** `count` failed logins of `username`, each answered 401. */
async function fail(username: string, count: number, from: () => string): Promise<void> {
  for (let i = 0; i < count; i += 1)
    expectProblem(await login(username, 'wrong password', from()), 401, 'invalid_credentials');
}

/** `count` failed logins from `from`, each for another unknown username, each answered 401. */
async function failFrom(from: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1)
    expectProblem(
      await login(uniqueUsername('victim'), 'Summer2024!', from),
      401,
      'invalid_credentials',
    );
}

// SECURITY.md, hostile-input catalogue 21.
describe('brute force and credential stuffing', () => {
  it('answers failed logins of one account past the limit with 429, from any address, even with the right password', async () => {
    const username = await registered();
    await fail(username, ACCOUNT_MAX, freshAddress);
    expectRateLimited(await login(username, 'wrong password', freshAddress()), WINDOW);
    expectRateLimited(await login(username, GOOD_PASSWORD, freshAddress()), WINDOW);
  });

  it('lifts an account block when its window has passed: no permanent lockout', async () => {
    const username = await registered();
    const attempt = (password: string) => login(username, password, freshAddress(), shortWindow);
    // Fail until blocked (a window may run out first on a slow machine; then counting restarts).
    let response = await attempt('wrong password');
    for (let i = 0; i < 20 && response.status !== 429; i += 1)
      response = await attempt('wrong password');
    expectRateLimited(response, SHORT_WINDOW);
    expectRateLimited(await attempt(GOOD_PASSWORD), SHORT_WINDOW);
    const deadline = Date.now() + (SHORT_WINDOW + 10) * 1000;
    while (response.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      response = await attempt(GOOD_PASSWORD);
    }
    expect(response.status).toBe(200);
  }, 30_000);

  it('resets an account’s count on a successful login', async () => {
    const username = await registered();
    await fail(username, ACCOUNT_MAX - 1, freshAddress);
    expect((await login(username, GOOD_PASSWORD, freshAddress())).status).toBe(200);
    await fail(username, ACCOUNT_MAX, freshAddress);
    expectRateLimited(await login(username, 'wrong password', freshAddress()), WINDOW);
  });

  it('tells the truth to parallel correct logins of one account past its limit: a short Retry-After, and the block lifts as they succeed', async () => {
    const username = await registered();
    const burst = await Promise.all(
      Array.from({ length: ACCOUNT_MAX * 4 }, () => login(username, GOOD_PASSWORD, freshAddress())),
    );
    const refused = burst.filter((response) => response.status === 429);
    // Refused only because the first ones were still in flight, whose success clears the count.
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) expectRateLimited(response, IN_FLIGHT_RETRY_AFTER);
    expect(burst.every((response) => response.status === 200 || response.status === 429)).toBe(
      true,
    );
    expect((await login(username, GOOD_PASSWORD, freshAddress())).status).toBe(200);
  });

  it('tells the truth to parallel correct logins from one address past its limit', async () => {
    const office = freshAddress();
    const colleagues = await Promise.all(
      Array.from({ length: ADDRESS_MAX * 3 }, () => registered()),
    );
    const burst = await Promise.all(
      colleagues.map((colleague) => login(colleague, GOOD_PASSWORD, office)),
    );
    const refused = burst.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) expectRateLimited(response, IN_FLIGHT_RETRY_AFTER);
    expect((await login(colleagues[0] as string, GOOD_PASSWORD, office)).status).toBe(200);
  });

  it('still answers the whole window once the attempts in flight have failed', async () => {
    const username = await registered();
    const burst = await Promise.all(
      Array.from({ length: ACCOUNT_MAX * 4 }, () =>
        login(username, 'wrong password', freshAddress()),
      ),
    );
    expect(burst.some((response) => response.status === 429)).toBe(true);
    const after = await login(username, GOOD_PASSWORD, freshAddress());
    expectRateLimited(after, WINDOW);
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(WINDOW - 60);
  });

  it('throttles an unknown username exactly like a real one, so a 429 reveals no account', async () => {
    const real = await registered();
    const ghost = uniqueUsername('ghost');
    const answers: ReadResponse[] = [];
    for (const username of [real, ghost]) {
      await fail(username, ACCOUNT_MAX, freshAddress);
      answers.push(await login(username, 'wrong password', freshAddress()));
    }
    const [forReal, forGhost] = answers as [ReadResponse, ReadResponse];
    expectRateLimited(forReal, WINDOW);
    expectRateLimited(forGhost, WINDOW);
    // The same answer, but for the seconds to wait, which may have ticked over in between.
    expect({ ...forGhost.body, detail: undefined }).toEqual({ ...forReal.body, detail: undefined });
  });

  it('limits failed logins per client address across accounts, and only that address', async () => {
    const attacker = freshAddress();
    await failFrom(attacker, ADDRESS_MAX);
    expectRateLimited(await login(uniqueUsername('victim'), 'Summer2024!', attacker), WINDOW);
    const bystander = await registered();
    expect((await login(bystander, GOOD_PASSWORD, freshAddress())).status).toBe(200);
  });

  it('takes nothing from an account for attempts its blocked address makes: a 429 keeps no point', async () => {
    const attacker = freshAddress();
    await failFrom(attacker, ADDRESS_MAX);
    const victim = await registered();
    // Well past the account's limit, each answered 429 by the address limit alone.
    for (let i = 0; i < ACCOUNT_MAX * 4; i += 1)
      expectRateLimited(await login(victim, 'wrong password', attacker), WINDOW);
    expect((await login(victim, GOOD_PASSWORD, freshAddress())).status).toBe(200);
  });

  it('takes nothing from an account for a parallel burst from its blocked address', async () => {
    const attacker = freshAddress();
    await failFrom(attacker, ADDRESS_MAX);
    const victim = await registered();
    const burst = await Promise.all(
      Array.from({ length: ACCOUNT_MAX * 8 }, () => login(victim, 'wrong password', attacker)),
    );
    for (const response of burst) expectRateLimited(response, WINDOW);
    // Nothing was counted on the account: its whole allowance of failures is still there.
    await fail(victim, ACCOUNT_MAX, freshAddress);
    expectRateLimited(await login(victim, 'wrong password', freshAddress()), WINDOW);
  });

  it('takes nothing from an address for attempts on a blocked account', async () => {
    const office = freshAddress();
    const blocked = await registered();
    await fail(blocked, ACCOUNT_MAX, freshAddress);
    // Colleagues behind one NAT keep retrying the blocked account.
    for (let i = 0; i < ADDRESS_MAX * 2; i += 1)
      expectRateLimited(await login(blocked, GOOD_PASSWORD, office), WINDOW);
    // The office's own failures are all still allowed.
    await failFrom(office, ADDRESS_MAX - 1);
    const colleague = await registered();
    expect((await login(colleague, GOOD_PASSWORD, office)).status).toBe(200);
  });

  it('does not count successful logins against an address', async () => {
    const office = freshAddress();
    const colleague = await registered();
    for (let i = 0; i < ADDRESS_MAX * 2; i += 1)
      expect((await login(colleague, GOOD_PASSWORD, office)).status).toBe(200);
    expectProblem(await login(colleague, 'typo', office), 401, 'invalid_credentials');
  });

  it('shares the counters between replicas', async () => {
    const username = await registered();
    const replicas = [replicaA, replicaB, replicaA];
    for (const replica of replicas)
      expectProblem(
        await login(username, 'wrong password', freshAddress(), replica),
        401,
        'invalid_credentials',
      );
    expectRateLimited(await login(username, 'wrong', freshAddress(), replicaB), WINDOW);
    expectRateLimited(await login(username, GOOD_PASSWORD, freshAddress(), replicaA), WINDOW);
  });

  it('keys an IPv6 client by its /64, so rotating addresses within it does not help', async () => {
    for (let i = 1; i <= ADDRESS_MAX; i += 1)
      expectProblem(
        await login(uniqueUsername(), 'x-password', `2001:db8:aa:bb::${i.toString(16)}`),
        401,
        'invalid_credentials',
      );
    expectRateLimited(
      await login(uniqueUsername(), 'x-password', '2001:db8:aa:bb:ffff::9'),
      WINDOW,
    );
    expect((await login(uniqueUsername(), 'x-password', '2001:db8:aa:cc::1')).status).toBe(401);
  });

  it('trusts only the address the proxy appended, not what the client put before it', async () => {
    const client = freshAddress();
    for (let i = 0; i < ADDRESS_MAX; i += 1)
      expectProblem(
        await login(uniqueUsername(), 'x-password', `10.0.0.${i}, ${client}`),
        401,
        'invalid_credentials',
      );
    expectRateLimited(await login(uniqueUsername(), 'x-password', `192.0.2.77, ${client}`), WINDOW);
  });

  it('limits registrations per address; refused bodies do not count', async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i += 1)
      expectProblem(
        await post('/register', { username: 'x', password: 'y' }, address),
        400,
        'validation_failed',
      );
    const taken = await registered();
    expect(
      (await post('/register', { username: taken, password: GOOD_PASSWORD }, address)).status,
    ).toBe(409);
    for (let i = 1; i < REGISTRATION_MAX; i += 1)
      expect(
        (await post('/register', { username: uniqueUsername(), password: GOOD_PASSWORD }, address))
          .status,
      ).toBe(201);
    const refused = await post(
      '/register',
      { username: uniqueUsername(), password: GOOD_PASSWORD },
      address,
    );
    expectRateLimited(refused, WINDOW);
  });

  it('counts every 429 in auth_rate_limited_total by limit', async () => {
    const metrics = (await request(`${replicaA.url}/metrics`)).text;
    for (const limit of ['login_account', 'login_address', 'registration_address'])
      expect(metrics).toMatch(
        new RegExp(`auth_rate_limited_total\\{[^}]*limit="${limit}"[^}]*\\} [1-9]`),
      );
  });
});

// SECURITY.md, hostile-input catalogue 21.
describe('brute force without TRUST_PROXY', () => {
  let direct: RunningAuthService;

  beforeAll(async () => {
    direct = await services.startAuth({ ...LIMITS, TRUST_PROXY: 'false' });
  });
  afterAll(() => direct?.stop(1000));

  it('takes the address from the socket, so a forged X-Forwarded-For changes nothing', async () => {
    for (let i = 0; i < ADDRESS_MAX; i += 1)
      expectProblem(
        await login(uniqueUsername(), 'x-password', freshAddress(), direct),
        401,
        'invalid_credentials',
      );
    expectRateLimited(await login(uniqueUsername(), 'x-password', freshAddress(), direct), WINDOW);
  });
});
