import { Writable } from 'node:stream';
import { createLogger } from '@authpair/service-kit';
import { composeDefaults } from '../support/compose-defaults';
import { request } from '../support/http';
import { useServices } from '../support/services';

// Opted in (ALLOW_PUBLIC_SECRETS=true, as docker-compose.yml does) with the
// compose file's public defaults under NODE_ENV=production: both services
// start, and say so for as long as they run, in /readyz and in the log.

/** Every log line a service writes, parsed. */
class LogLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line));
    }
    done();
  }
}

const compose = { auth: composeDefaults('auth'), resource: composeDefaults('resource') };
const optedIn = { NODE_ENV: 'production', ALLOW_PUBLIC_SECRETS: 'true' };
const publicOf = (env: Record<string, string>, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, env[name] as string]));
const authSecrets = publicOf(compose.auth, [
  'PASSWORD_PEPPER',
  'REVOCATION_FEED_TOKEN',
  'REFRESH_TOKEN_SECRET',
  'KEY_ENCRYPTION_KEYS',
]);

const services = useServices({ auth: false });
const logs = { auth: new LogLines(), resource: new LogLines() };
const logger = (service: 'auth' | 'resource') =>
  createLogger({ service, level: 'info', destination: logs[service] });

describe('a service opted in to the public defaults', () => {
  it('starts, and reports them in /readyz as degraded, and in a warning at start', async () => {
    const auth = await services.startAuth(
      { ...authSecrets, ...optedIn },
      { logger: logger('auth') },
    );
    const resource = await services.startResource(
      { REVOCATION_FEED_TOKEN: authSecrets.REVOCATION_FEED_TOKEN as string, ...optedIn },
      { authUrl: auth.url, logger: logger('resource') },
    );

    const authReady = await request(`${auth.url}/readyz`);
    expect(authReady.status).toBe(200);
    expect(authReady.body.status).toBe('ready');
    expect(authReady.body.checks.secrets).toEqual({
      status: 'degraded',
      detail: expect.stringContaining('running with secrets published in this repository'),
      variables: [
        'PASSWORD_PEPPER',
        'REVOCATION_FEED_TOKEN',
        'REFRESH_TOKEN_SECRET',
        'KEY_ENCRYPTION_KEYS',
      ],
    });
    const resourceReady = await request(`${resource.url}/readyz`);
    expect(resourceReady.status).toBe(200);
    expect(resourceReady.body.checks.secrets).toMatchObject({
      status: 'degraded',
      variables: ['REVOCATION_FEED_TOKEN'],
    });

    for (const [service, variables] of [
      [
        'auth',
        ['PASSWORD_PEPPER', 'REVOCATION_FEED_TOKEN', 'REFRESH_TOKEN_SECRET', 'KEY_ENCRYPTION_KEYS'],
      ],
      ['resource', ['REVOCATION_FEED_TOKEN']],
    ] as const)
      expect(logs[service].lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          variables,
          msg: expect.stringContaining('running with secrets published in this repository'),
        }),
      );
    const everything = [...logs.auth.raw, ...logs.resource.raw].join('\n');
    for (const value of Object.values(authSecrets))
      expect(everything).not.toContain(value.split(':').at(-1));
  });
});
