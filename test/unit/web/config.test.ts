import { ConfigError } from '@authpair/service-kit';
import { loadWebConfig } from '@authpair/web';

describe('web app configuration', () => {
  it('needs nothing for local use: localhost ports 4000-4002', () => {
    const config = loadWebConfig({});
    expect(config).toMatchObject({
      port: 4002,
      origin: 'http://localhost:4002',
      auth: { url: 'http://localhost:4000', timeoutMs: 5000 },
      resourceUrl: 'http://localhost:4001',
      refreshCookie: { maxAge: 14 * 86_400 },
      refreshShareWindowMs: 10_000,
    });
  });

  it('takes its origin from PORT unless WEB_ORIGIN names it', () => {
    expect(loadWebConfig({ PORT: '8080' }).origin).toBe('http://localhost:8080');
    expect(loadWebConfig({ WEB_ORIGIN: 'https://app.example.com' }).origin).toBe(
      'https://app.example.com',
    );
  });

  it.each([['http://127.0.0.1:4002'], ['http://[::1]:4002'], ['https://app.example.com:8443']])(
    'accepts %s as WEB_ORIGIN (https, or http on loopback)',
    (origin) => {
      expect(loadWebConfig({ WEB_ORIGIN: origin }).origin).toBe(origin);
    },
  );

  it.each([
    ['http://app.example.com', /must be https/],
    ['https://app.example.com/path', /no path/],
    ['app.example.com', /must be an origin/],
  ])('refuses %s as WEB_ORIGIN: the __Host- cookie needs Secure', (origin, reason) => {
    expect(() => loadWebConfig({ WEB_ORIGIN: origin })).toThrow(reason);
  });

  it('reports every bad variable at once', () => {
    let caught: unknown;
    try {
      loadWebConfig({
        WEB_ORIGIN: 'http://app.example.com',
        AUTH_URL: 'not a url',
        REFRESH_SHARE_WINDOW_MS: '120000',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((issue) => issue.variable).sort()).toEqual([
      'AUTH_URL',
      'REFRESH_SHARE_WINDOW_MS',
      'WEB_ORIGIN',
    ]);
  });
});
