import { loadResourceConfig } from '@authpair/resource';
import { ConfigError } from '@authpair/service-kit';

const feedSecret = { REVOCATION_FEED_TOKEN: 'a-feed-secret-of-at-least-32-characters' };

describe('resource configuration', () => {
  it('needs only the feed secret for local use', () => {
    const config = loadResourceConfig(feedSecret);
    expect(config.port).toBe(4001);
    expect(config.jwks.url).toBe('http://localhost:4000/.well-known/jwks.json');
    expect(config.tokens.clockTolerance).toBeLessThanOrEqual(30);
    expect(config.revocations).toEqual({
      url: 'http://localhost:4000/internal/revocations',
      token: feedSecret.REVOCATION_FEED_TOKEN,
      pollIntervalMs: 1000,
      maxLagMs: 10_000,
      timeoutMs: 2000,
      failClosed: true,
    });
  });

  it('refuses to start without the feed secret: revocation must not be silently off', () => {
    expect(() => loadResourceConfig({})).toThrow(/REVOCATION_FEED_TOKEN: is required/);
  });

  it('reads the feed from the JWKS host unless told otherwise', () => {
    expect(
      loadResourceConfig({ ...feedSecret, JWKS_URL: 'http://auth:4000/.well-known/jwks.json' })
        .revocations.url,
    ).toBe('http://auth:4000/internal/revocations');
    expect(
      loadResourceConfig({ ...feedSecret, REVOCATION_FEED_URL: 'https://auth.internal/feed' })
        .revocations.url,
    ).toBe('https://auth.internal/feed');
  });

  it('refuses a lag bound no longer than the poll interval, and an unknown fail mode', () => {
    expect(() =>
      loadResourceConfig({
        ...feedSecret,
        REVOCATION_POLL_INTERVAL_MS: '5000',
        REVOCATION_MAX_LAG_MS: '5000',
      }),
    ).toThrow(/REVOCATION_MAX_LAG_MS: must be greater than REVOCATION_POLL_INTERVAL_MS/);
    expect(() => loadResourceConfig({ ...feedSecret, REVOCATION_FAIL_MODE: 'maybe' })).toThrow(
      /REVOCATION_FAIL_MODE: must be one of closed, open/,
    );
  });

  it('refuses a clock tolerance over 30 seconds, naming the variable', () => {
    expect(() => loadResourceConfig({ ...feedSecret, CLOCK_TOLERANCE: '300' })).toThrow(
      ConfigError,
    );
    expect(() => loadResourceConfig({ ...feedSecret, CLOCK_TOLERANCE: '300' })).toThrow(
      /CLOCK_TOLERANCE: must be at most 30/,
    );
  });

  it('does not read TRUST_PROXY: the resource service never uses the client address', () => {
    const config = loadResourceConfig({ ...feedSecret, TRUST_PROXY: 'maybe' });
    expect(config).not.toHaveProperty('trustProxy');
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(() => loadResourceConfig({ ...feedSecret, JWKS_URL: 'file:///etc/passwd' })).toThrow(
      /JWKS_URL: must be an absolute http or https URL/,
    );
  });
  it('waits SHUTDOWN_DELAY_MS (5 s unless set) between reporting unready and closing the listener', () => {
    expect(loadResourceConfig(feedSecret).shutdownDelayMs).toBe(5000);
    expect(() => loadResourceConfig({ ...feedSecret, SHUTDOWN_DELAY_MS: 'soon' })).toThrow(
      /SHUTDOWN_DELAY_MS: must be an integer/,
    );
  });
});
