import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AuthpairClient } from '@authpair/client';
import { FakeAuth, FakeVisibility, optionsFor, PASSWORD, reported } from './fakes';

/**
 * The background timer, on jest's fake clock: `Date.now` (the client's
 * default clock) and the timers move together, except where a test moves
 * the system time alone, as a sleeping machine does.
 */
let auth: FakeAuth;
let visibility: FakeVisibility;
let client: AuthpairClient;

beforeEach(async () => {
  jest.useFakeTimers({ now: 1_000_000 });
  auth = new FakeAuth();
  auth.expiresIn = 120; // refreshed 30 s before expiry
  visibility = new FakeVisibility();
  client = new AuthpairClient(optionsFor(auth, { autoRefresh: true, visibility }));
  await client.login({ username: 'alice', password: PASSWORD });
});
afterEach(() => {
  client.dispose();
  jest.useRealTimers();
  expect(reported.splice(0)).toEqual([]);
});

const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('the refresh timer', () => {
  it('refreshes at the refresh point, once per lifetime, while the tab is visible', async () => {
    await advance(90_000 - 1);
    expect(auth.tokenCalls).toBe(0);
    await advance(1);
    expect(auth.tokenCalls).toBe(1);
    await advance(90_000);
    expect(auth.tokenCalls).toBe(2);
  });

  it('does not run in a hidden tab, and catches up when the tab is shown', async () => {
    visibility.set(false);
    await advance(200_000);
    expect(auth.tokenCalls).toBe(0);
    visibility.set(true);
    await advance(0);
    expect(auth.tokenCalls).toBe(1);
    expect(client.getSession()?.expiresAt).toBe(Date.now() + 120_000);
  });

  it('catches up after the machine slept past expiry, within one tick', async () => {
    await advance(10_000);
    // Asleep: the wall clock moves, timers do not.
    jest.setSystemTime(Date.now() + 600_000);
    await advance(15_000);
    expect(auth.tokenCalls).toBe(1);
  });

  it('retries a failed refresh in the background with a backoff, and recovers', async () => {
    auth.mode = 'network_error';
    await advance(90_000);
    expect(auth.tokenCalls).toBe(1);
    await advance(1_000); // the first retry comes within base (1 s), jittered down to half
    expect(auth.tokenCalls).toBe(2);
    auth.mode = 'up';
    await advance(2_000);
    expect(auth.tokenCalls).toBe(3);
    expect(client.getSession()?.expiresAt).toBeGreaterThan(Date.now() + 110_000);
  });

  it('stops with dispose()', async () => {
    client.dispose();
    await advance(600_000);
    expect(auth.tokenCalls).toBe(0);
  });
});

describe('in Node', () => {
  it('a signed-in client with auto refresh does not keep the process alive', () => {
    const script = `
      const { AuthpairClient } = require('./packages/client/src');
      const fetch = async () => new Response(JSON.stringify({
        access_token: 'a.e30.s', token_type: 'Bearer', expires_in: 900, refresh_token: 'aprt_x',
      }), { headers: { 'content-type': 'application/json' } });
      const client = new AuthpairClient({ authUrl: 'http://auth.test', fetch, crossTab: { locks: null } });
      client.login({ username: 'alice', password: 'secret-secret' }).then(() => console.log('signed in'));
    `;
    const root = path.resolve(__dirname, '../../..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('signed in');
    expect(run.status).toBe(0);
  });
});
