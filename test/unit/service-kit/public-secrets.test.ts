import { randomBytes } from 'node:crypto';
import { loadAdminConfig, loadAuthConfig } from '@authpair/auth';
import { loadResourceConfig } from '@authpair/resource';
import { ConfigError } from '@authpair/service-kit';
import { composeDefaults, composeDefaultsWithoutOptIn } from '../../support/compose-defaults';
import { authEnvironment } from '../../support/services';

// docker-compose.yml publishes a default for every secret, so that
// `docker compose up` works on a laptop. Those values are in this
// repository: a service that runs with one holds no secret. The images run
// with NODE_ENV=production, where they must be refused unless the operator
// opts in with ALLOW_PUBLIC_SECRETS.

const PRODUCTION = { NODE_ENV: 'production' };
const authDefaults = () => composeDefaultsWithoutOptIn('auth');
const resourceDefaults = () => composeDefaultsWithoutOptIn('resource');

function refusal(load: () => unknown): Record<string, string> {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError)
      return Object.fromEntries(error.issues.map((issue) => [issue.variable, issue.reason]));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const publicDefault = expect.stringContaining('is a default published in this repository');

describe('the public defaults of docker-compose.yml', () => {
  it('are each refused by auth in production, naming the variable', () => {
    expect(refusal(() => loadAuthConfig({ ...authDefaults(), ...PRODUCTION }))).toEqual({
      DATABASE_URL: publicDefault,
      PASSWORD_PEPPER: publicDefault,
      REVOCATION_FEED_TOKEN: publicDefault,
      REFRESH_TOKEN_SECRET: publicDefault,
      KEY_ENCRYPTION_KEYS: publicDefault,
    });
  });

  it('are refused by the resource service and auth-admin in production too', () => {
    expect(refusal(() => loadResourceConfig({ ...resourceDefaults(), ...PRODUCTION }))).toEqual({
      REVOCATION_FEED_TOKEN: publicDefault,
    });
    expect(refusal(() => loadAdminConfig({ ...authDefaults(), ...PRODUCTION }))).toEqual({
      DATABASE_URL: publicDefault,
      PASSWORD_PEPPER: publicDefault,
      KEY_ENCRYPTION_KEYS: publicDefault,
    });
  });

  it('never echo the secret in the refusal', () => {
    const env: Record<string, string> = { ...authDefaults(), ...PRODUCTION };
    const reasons = JSON.stringify(refusal(() => loadAuthConfig(env)));
    for (const name of [
      'PASSWORD_PEPPER',
      'REVOCATION_FEED_TOKEN',
      'REFRESH_TOKEN_SECRET',
      'KEY_ENCRYPTION_KEYS',
    ])
      expect(reasons).not.toContain(env[name]?.split(':').at(-1));
  });

  it('are refused under another KEK id too: the key bytes are what is public', () => {
    const kek = authDefaults().KEY_ENCRYPTION_KEYS?.replace(/^[^:]+:/, 'prod-2026:');
    expect(
      refusal(() =>
        loadAuthConfig({ ...authDefaults(), ...PRODUCTION, KEY_ENCRYPTION_KEYS: `${kek}` }),
      ),
    ).toMatchObject({ KEY_ENCRYPTION_KEYS: publicDefault });
  });

  it('are accepted with ALLOW_PUBLIC_SECRETS=true, as the compose file does, and listed as public', () => {
    const auth = loadAuthConfig({ ...composeDefaults('auth'), ...PRODUCTION });
    expect(auth.publicSecrets).toEqual([
      'DATABASE_URL',
      'PASSWORD_PEPPER',
      'REVOCATION_FEED_TOKEN',
      'REFRESH_TOKEN_SECRET',
      'KEY_ENCRYPTION_KEYS',
    ]);
    const resource = loadResourceConfig({ ...composeDefaults('resource'), ...PRODUCTION });
    expect(resource.publicSecrets).toEqual(['REVOCATION_FEED_TOKEN']);
  });

  it('are accepted outside production, and still listed as public', () => {
    expect(loadAuthConfig(authDefaults()).publicSecrets).toHaveLength(5);
    expect(loadResourceConfig(resourceDefaults()).publicSecrets).toEqual(['REVOCATION_FEED_TOKEN']);
  });
});

describe('secrets of your own in production', () => {
  const own = {
    DATABASE_URL: 'postgres://authpair:s3cret@db/authpair',
    PASSWORD_PEPPER: randomBytes(32).toString('base64url'),
    REVOCATION_FEED_TOKEN: randomBytes(32).toString('base64url'),
    REFRESH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    KEY_ENCRYPTION_KEYS: `kek1:${randomBytes(32).toString('base64')}`,
    ...PRODUCTION,
  };

  it('are accepted, and nothing is listed as public', () => {
    expect(loadAuthConfig(own).publicSecrets).toEqual([]);
    expect(
      loadResourceConfig({ REVOCATION_FEED_TOKEN: own.REVOCATION_FEED_TOKEN, ...PRODUCTION })
        .publicSecrets,
    ).toEqual([]);
  });

  it('are refused when obviously weak: short, repetitive, or a KEK that is text', () => {
    const weak = {
      ...own,
      PASSWORD_PEPPER: 'sixteen-chars-ok', // enough outside production, not in it
      REVOCATION_FEED_TOKEN: 'ab'.repeat(20),
      KEY_ENCRYPTION_KEYS: `kek1:${Buffer.from('my-very-own-32-character-secret!').toString('base64')}`,
    };
    expect(refusal(() => loadAuthConfig(weak))).toEqual({
      PASSWORD_PEPPER: 'must be at least 32 characters with NODE_ENV=production',
      REVOCATION_FEED_TOKEN: 'repeats too few characters to be a secret (2 distinct)',
      KEY_ENCRYPTION_KEYS: expect.stringContaining('entry 1 ("kek1") is text, not random bytes'),
    });
    const { NODE_ENV: _production, ...development } = weak;
    expect(loadAuthConfig(development).publicSecrets).toEqual([]);
  });

  it('report a weak KEK entry beside the others, each naming its entry', () => {
    const kek = `kek1:${randomBytes(32).toString('base64')},kek0:${Buffer.alloc(32, 7).toString('base64')}`;
    expect(refusal(() => loadAuthConfig({ ...own, KEY_ENCRYPTION_KEYS: kek }))).toEqual({
      KEY_ENCRYPTION_KEYS: 'entry 2 ("kek0") repeats too few byte values to be random',
    });
  });

  it('are reported together with every other bad variable', () => {
    const issues = refusal(() =>
      loadAuthConfig({ ...own, PASSWORD_PEPPER: 'short-but-16-ch!', PORT: 'http' }),
    );
    expect(Object.keys(issues).sort()).toEqual(['PASSWORD_PEPPER', 'PORT']);
  });

  it('include the tests’ own, which the benchmark runs with NODE_ENV=production', () => {
    expect(
      loadAuthConfig(authEnvironment('postgres://x:y@db/z', PRODUCTION)).publicSecrets,
    ).toEqual([]);
  });

  it('refuses an opt-in that is not a yes or a no', () => {
    expect(refusal(() => loadAuthConfig({ ...own, ALLOW_PUBLIC_SECRETS: 'maybe' }))).toEqual({
      ALLOW_PUBLIC_SECRETS: 'must be true or false',
    });
  });
});
