import { loadAuthConfig } from '@authpair/auth';
import { ConfigError } from '@authpair/service-kit';

const required = {
  DATABASE_URL: 'postgres://db/authpair',
  PASSWORD_PEPPER: 'a-secret-of-enough-length',
  REVOCATION_FEED_TOKEN: 'a-feed-secret-of-at-least-32-characters',
  REFRESH_TOKEN_SECRET: 'a-refresh-secret-of-at-least-32-characters',
  KEY_ENCRYPTION_KEYS: `kek1:${Buffer.alloc(32, 1).toString('base64')}`,
};

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.variable}: ${issue.reason}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('auth configuration', () => {
  it('applies the documented defaults when only the required variables are set', () => {
    const config = loadAuthConfig(required);
    expect(config.port).toBe(4000);
    expect(config.tokens).toEqual({
      issuer: 'http://localhost:4000',
      audience: 'authpair-resource',
      clientId: 'authpair',
      accessTokenTtl: 900,
      clockTolerance: 5,
    });
    expect(config.sessions).toEqual({
      refreshTokenTtl: 14 * 86_400,
      maxAge: 90 * 86_400,
      maxPerUser: 100,
      reuseGraceSeconds: 5,
      refreshTokenSecret: 'a-refresh-secret-of-at-least-32-characters',
      retentionDays: 30,
    });
    expect(config.realm).toBe('authpair');
    expect(config.passwords.bcryptCost).toBe(12);
    expect(config.keys.rsaModulusBits).toBe(2048);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing required variable at once', () => {
    expect(issuesOf({})).toEqual([
      'DATABASE_URL: is required',
      'PASSWORD_PEPPER: is required',
      'REVOCATION_FEED_TOKEN: is required',
      'REFRESH_TOKEN_SECRET: is required',
      'KEY_ENCRYPTION_KEYS: is required',
    ]);
  });

  it('names malformed values and says why', () => {
    expect(
      issuesOf({
        ...required,
        PORT: 'http',
        BCRYPT_COST: '9',
        JWT_ISSUER: 'localhost:4000',
        TRUST_PROXY: 'maybe',
      }),
    ).toEqual([
      'PORT: must be an integer',
      'JWT_ISSUER: must be an absolute http or https URL',
      'BCRYPT_COST: must be at least 10',
      'TRUST_PROXY: must be true or false',
    ]);
  });

  it('refuses an RSA modulus under 2048 bits and a short pepper', () => {
    expect(issuesOf({ ...required, SIGNING_KEY_BITS: '1024', PASSWORD_PEPPER: 'short' })).toEqual([
      'PASSWORD_PEPPER: must be at least 16 characters',
      'SIGNING_KEY_BITS: must be at least 2048',
    ]);
  });

  it('refuses a short revocation feed secret, a short refresh token secret and a negative grace window', () => {
    expect(
      issuesOf({
        ...required,
        REVOCATION_FEED_TOKEN: 'short',
        REFRESH_TOKEN_SECRET: 'short',
        REFRESH_REUSE_GRACE_SECONDS: '-1',
      }),
    ).toEqual([
      'REFRESH_REUSE_GRACE_SECONDS: must be at least 0',
      'REVOCATION_FEED_TOKEN: must be at least 32 characters',
      'REFRESH_TOKEN_SECRET: must be at least 32 characters',
    ]);
  });

  it('keeps ended sessions 0 (forever) or at least 2 days, outlasting the revocation feed window', () => {
    expect(
      loadAuthConfig({ ...required, SESSION_RETENTION_DAYS: '0' }).sessions.retentionDays,
    ).toBe(0);
    expect(
      loadAuthConfig({ ...required, SESSION_RETENTION_DAYS: '2' }).sessions.retentionDays,
    ).toBe(2);
    expect(issuesOf({ ...required, SESSION_RETENTION_DAYS: '1' })).toEqual([
      'SESSION_RETENTION_DAYS: must be 0 (keep forever) or at least 2',
    ]);
    expect(issuesOf({ ...required, SESSION_RETENTION_DAYS: '-1' })).toEqual([
      'SESSION_RETENTION_DAYS: must be at least 0',
    ]);
  });

  it('reads the tolerance for its own tokens apart from the one it assumes of other verifiers', () => {
    const config = loadAuthConfig({
      ...required,
      OWN_TOKEN_CLOCK_TOLERANCE: '2',
      VERIFIER_CLOCK_TOLERANCE: '120',
    });
    expect(config.tokens.clockTolerance).toBe(2);
    expect(config.keys.verifiers.clockTolerance).toBe(120);
    expect(issuesOf({ ...required, OWN_TOKEN_CLOCK_TOLERANCE: '60' })).toEqual([
      'OWN_TOKEN_CLOCK_TOLERANCE: must be at most 30',
    ]);
  });

  it('treats an empty variable as unset and drops a trailing slash from the issuer', () => {
    const config = loadAuthConfig({ ...required, PORT: '', JWT_ISSUER: 'https://id.example.com/' });
    expect(config.port).toBe(4000);
    expect(config.tokens.issuer).toBe('https://id.example.com');
  });

  it('serves metrics on the public port unless METRICS_PORT is set, then on HOST unless METRICS_HOST says otherwise', () => {
    expect(loadAuthConfig(required).metricsListener).toBeUndefined();
    expect(
      loadAuthConfig({ ...required, HOST: '10.0.0.5', METRICS_PORT: '9100' }).metricsListener,
    ).toEqual({
      port: 9100,
      host: '10.0.0.5',
    });
    expect(
      loadAuthConfig({ ...required, METRICS_PORT: '9100', METRICS_HOST: '127.0.0.1' })
        .metricsListener,
    ).toEqual({ port: 9100, host: '127.0.0.1' });
    expect(issuesOf({ ...required, METRICS_PORT: 'ninety' })).toEqual([
      'METRICS_PORT: must be an integer',
    ]);
    expect(issuesOf({ ...required, METRICS_PORT: '70000' })).toEqual([
      'METRICS_PORT: must be at most 65535',
    ]);
  });
  it('serves /internal/* on the public port unless INTERNAL_PORT is set, then on HOST', () => {
    expect(loadAuthConfig(required).internalListener).toBeUndefined();
    expect(
      loadAuthConfig({ ...required, HOST: '10.0.0.5', INTERNAL_PORT: '4100' }).internalListener,
    ).toEqual({ port: 4100, host: '10.0.0.5' });
    expect(issuesOf({ ...required, INTERNAL_PORT: '70000' })).toEqual([
      'INTERNAL_PORT: must be at most 65535',
    ]);
  });

  it('waits SHUTDOWN_DELAY_MS (5 s unless set) between reporting unready and closing the listener', () => {
    expect(loadAuthConfig(required).shutdownDelayMs).toBe(5000);
    expect(loadAuthConfig({ ...required, SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).toBe(0);
    expect(issuesOf({ ...required, SHUTDOWN_DELAY_MS: '-1' })).toEqual([
      'SHUTDOWN_DELAY_MS: must be at least 0',
    ]);
  });
});
