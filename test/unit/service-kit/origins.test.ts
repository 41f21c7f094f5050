import { loadAuthConfig } from '@authpair/auth';
import { loadResourceConfig } from '@authpair/resource';
import { ConfigError } from '@authpair/service-kit';
import { TEST_FEED_TOKEN, TEST_KEK, TEST_REFRESH_TOKEN_SECRET } from '../../support/services';

const auth = {
  DATABASE_URL: 'postgres://db/authpair',
  PASSWORD_PEPPER: 'a-secret-of-enough-length',
  KEY_ENCRYPTION_KEYS: TEST_KEK,
  REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
  REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
};
/** The resource service's one required variable. */
const resource = { REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN };

describe('CORS_ALLOWED_ORIGINS', () => {
  it('is empty by default: CORS off', () => {
    expect(loadAuthConfig(auth).corsAllowedOrigins).toEqual([]);
    expect(loadResourceConfig(resource).corsAllowedOrigins).toEqual([]);
  });

  it('takes a comma-separated list of origins', () => {
    const config = loadResourceConfig({
      ...resource,
      CORS_ALLOWED_ORIGINS: 'https://app.example, http://localhost:5173',
    });
    expect(config.corsAllowedOrigins).toEqual(['https://app.example', 'http://localhost:5173']);
  });

  it.each([
    ['a wildcard', '*'],
    ['a path', 'https://app.example/login'],
    ['a trailing slash', 'https://app.example/'],
    ['no scheme', 'app.example'],
    ['another scheme', 'ftp://app.example'],
  ])('refuses %s, naming the variable', (_name, value) => {
    expect(() => loadResourceConfig({ ...resource, CORS_ALLOWED_ORIGINS: value })).toThrow(
      ConfigError,
    );
    expect(() => loadResourceConfig({ ...resource, CORS_ALLOWED_ORIGINS: value })).toThrow(
      /CORS_ALLOWED_ORIGINS: .* is not an origin/,
    );
  });
});

describe('rate-limit and proxy settings', () => {
  it('default to the documented values', () => {
    const config = loadAuthConfig(auth);
    expect(config.rateLimits).toEqual({
      loginAccount: { max: 10, windowSeconds: 900 },
      loginAddress: { max: 100, windowSeconds: 3600 },
      registrationAddress: { max: 20, windowSeconds: 3600 },
    });
    expect(config.proxy).toEqual({ ipHeader: 'X-Forwarded-For', hops: 1 });
  });

  it('cap failures per account at NIST’s 100', () => {
    expect(() => loadAuthConfig({ ...auth, LOGIN_ACCOUNT_MAX_FAILURES: '101' })).toThrow(
      'LOGIN_ACCOUNT_MAX_FAILURES: must be at most 100',
    );
  });
});
