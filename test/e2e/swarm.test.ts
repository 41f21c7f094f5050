import { compose, docker } from '../support/compose';
import { bearer, eventually, registerAndLogin, request } from '../support/http';
import { freePort } from '../support/ports';
import { REPLICAS_FILE } from '../support/replica-stack';

/**
 * A smoke test of deploy/swarm/stack.yml on a one-node swarm: the images
 * the replicas compose file builds, deployed with `docker stack deploy`,
 * 2 auth and 3 resource tasks found by DNS (endpoint_mode: dnsrr) behind
 * the balancer publishing in host mode. The engine is left as found: a
 * swarm this file initialised is left again, with the bridge it created.
 */
const stackName = `authpair-swarm-${process.pid}`;
const env: Record<string, string> = {};
let initialised = false;
let gatewayBridgeExisted = true;
let authUrl = '';
let resourceUrl = '';

jest.setTimeout(180_000);

const swarmState = async () =>
  (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).output.trim();
const stackContainers = async () =>
  (await docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stackName}`])).output
    .split('\n')
    .filter(Boolean);

beforeAll(async () => {
  const [authPort, resourcePort] = [await freePort(), await freePort()];
  authUrl = `http://localhost:${authPort}`;
  resourceUrl = `http://localhost:${resourcePort}`;
  Object.assign(env, {
    AUTH_PORT: String(authPort),
    RESOURCE_PORT: String(resourcePort),
    JWT_ISSUER: authUrl,
    BCRYPT_COST: '10',
  });
  // Swarm does not build: the replicas compose file builds the same image names.
  const built = await compose(`${stackName}-build`, ['build'], env, 900_000, [REPLICAS_FILE]);
  if (built.code !== 0) throw new Error(`docker compose build failed:\n${built.output}`);

  if ((await swarmState()) === 'inactive') {
    gatewayBridgeExisted = (await docker(['network', 'inspect', 'docker_gwbridge'])).code === 0;
    const init = await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    if (init.code !== 0) throw new Error(`docker swarm init failed:\n${init.output}`);
    initialised = true;
  }
  // `docker stack deploy` interpolates ${VAR:-default} from its own environment.
  const deployed = await docker(
    ['stack', 'deploy', '--resolve-image', 'never', '-c', 'deploy/swarm/stack.yml', stackName],
    120_000,
    env,
  );
  if (deployed.code !== 0) throw new Error(`docker stack deploy failed:\n${deployed.output}`);
  for (const url of [authUrl, resourceUrl])
    await eventually(
      () => request(`${url}/readyz`).catch(() => ({ status: 0 })),
      (response) => response.status === 200,
      { timeoutMs: 150_000, intervalMs: 500, what: `${url} to be ready through the balancer` },
    );
}, 1_200_000);

afterAll(async () => {
  await docker(['stack', 'rm', stackName]);
  await eventually(stackContainers, (ids) => ids.length === 0, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: 'the stack’s containers to be removed',
  }).catch(() => undefined);
  await eventually(
    async () => (await docker(['volume', 'rm', `${stackName}_pgdata`])).code === 0,
    Boolean,
    { timeoutMs: 20_000, intervalMs: 500, what: 'the stack’s volume to be removed' },
  ).catch(() => undefined);
  if (initialised) {
    await docker(['swarm', 'leave', '--force']);
    if (!gatewayBridgeExisted) await docker(['network', 'rm', 'docker_gwbridge']);
  }
}, 120_000);

describe('the Swarm stack (docker stack deploy, one node)', () => {
  it('runs 2 auth and 3 resource tasks that serve register, login, /protected and logout through the balancer', async () => {
    const expected = [
      `${stackName}_auth 2/2`,
      `${stackName}_balancer 1/1`,
      `${stackName}_postgres 1/1`,
      `${stackName}_resource 3/3`,
    ];
    const running = async () =>
      (
        await docker([
          'service',
          'ls',
          '--filter',
          `label=com.docker.stack.namespace=${stackName}`,
          '--format',
          '{{.Name}} {{.Replicas}}',
        ])
      ).output
        .split('\n')
        .filter(Boolean)
        .sort();
    await eventually(running, (services) => services.join() === expected.join(), {
      timeoutMs: 150_000,
      intervalMs: 1000,
      what: 'every task to run',
    });

    const { username, token } = await registerAndLogin(authUrl);
    const call = () => request(`${resourceUrl}/protected`, { headers: bearer(token) });
    const answered = await call();
    expect(answered.status).toBe(200);
    expect(answered.body.claims.username).toBe(username);

    // The feed reaches every resource task through the balancer's internal frontend.
    const logout = await request(`${authUrl}/logout`, { method: 'POST', headers: bearer(token) });
    expect(logout.status).toBe(204);
    await eventually(
      async () => Promise.all([1, 2, 3, 4, 5, 6].map(async () => (await call()).status)),
      (statuses) => statuses.every((status) => status === 401),
      { timeoutMs: 15_000, what: 'every resource task to refuse the logged-out token' },
    );
  });
});
