import { loadResourceConfig } from '@authpair/resource';
import { ConfigError } from '@authpair/service-kit';

describe('resource configuration', () => {
  it('works with no variables at all, for local use', () => {
    const config = loadResourceConfig({});
    expect(config.port).toBe(4001);
    expect(config.jwks.url).toBe('http://localhost:4000/.well-known/jwks.json');
    expect(config.tokens.clockTolerance).toBeLessThanOrEqual(30);
  });

  it('refuses a clock tolerance over 30 seconds, naming the variable', () => {
    expect(() => loadResourceConfig({ CLOCK_TOLERANCE: '300' })).toThrow(ConfigError);
    expect(() => loadResourceConfig({ CLOCK_TOLERANCE: '300' })).toThrow(
      /CLOCK_TOLERANCE: must be at most 30/,
    );
  });

  it('does not read TRUST_PROXY: the resource service never uses the client address', () => {
    const config = loadResourceConfig({ TRUST_PROXY: 'maybe' });
    expect(config).not.toHaveProperty('trustProxy');
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(() => loadResourceConfig({ JWKS_URL: 'file:///etc/passwd' })).toThrow(
      /JWKS_URL: must be an absolute http or https URL/,
    );
  });
});
