import type { RunningAuthService } from '@authpair/auth';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { Client } from 'pg';
import { getContainerRuntimeClient } from 'testcontainers';
import { dockerAvailable, POSTGRES_IMAGE } from '../support/docker';
import { eventually, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { freePort } from '../support/ports';
import { startAuth } from '../support/services';

// Catalogue 26: PostgreSQL killed and started again under a running
// register/login load. The auth service must answer only fast 503s while
// the database is down, never a 500, stay up, recover by itself, and lose
// no registration it confirmed. This file runs its own PostgreSQL
// container, on a fixed host port, so the restarted server is found at the
// same address (testcontainers maps a new random port on restart otherwise).

const CONNECT_TIMEOUT_MS = 1000;
/** A 503 during the outage must come within this: connect timeout plus slack for a loaded machine. */
const FAST_503_MS = CONNECT_TIMEOUT_MS + 1500;
const WORKERS = 3;

const docker = dockerAvailable();
if (!docker)
  process.stderr.write(
    '\n[database restart] SKIPPING the PostgreSQL restart test: no Docker engine answers, and it needs a container to kill and start.\n\n',
  );
const describeWithDocker = docker ? describe : describe.skip;

interface Outcome {
  op: 'register' | 'login';
  status: number;
  startedAt: number;
  endedAt: number;
  retryAfter: string | null;
}

/** Registers and logs in new users from a few concurrent workers until stopped. */
class Load {
  readonly outcomes: Outcome[] = [];
  /** Every username whose registration was answered 201. */
  readonly confirmed: string[] = [];
  #running = true;
  #workers: Promise<void>[] = [];

  constructor(private readonly baseUrl: string) {
    for (let i = 0; i < WORKERS; i += 1) this.#workers.push(this.#work());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  since(time: number): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.startedAt >= time);
  }

  async #work(): Promise<void> {
    while (this.#running) {
      const username = uniqueUsername('load');
      const registered = await this.#post('register', username);
      if (registered === 201) {
        this.confirmed.push(username);
        await this.#post('login', username);
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #post(op: Outcome['op'], username: string): Promise<number> {
    const startedAt = Date.now();
    let status = 0; // no HTTP answer at all: the process is down or hung
    let retryAfter: string | null = null;
    try {
      const response = await request(`${this.baseUrl}/${op}`, {
        body: { username, password: GOOD_PASSWORD },
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
    } catch {
      // recorded as status 0
    }
    this.outcomes.push({ op, status, startedAt, endedAt: Date.now(), retryAfter });
    return status;
  }
}

// SECURITY.md, hostile-input catalogue 26.
describeWithDocker('PostgreSQL restarted under load', () => {
  let container: StartedPostgreSqlContainer;
  let auth: RunningAuthService;

  beforeAll(async () => {
    const hostPort = await freePort();
    container = await new PostgreSqlContainer(POSTGRES_IMAGE)
      .withDatabase('authpair')
      .withUsername('authpair')
      .withPassword('authpair')
      .withExposedPorts({ container: 5432, host: hostPort })
      .start();
    auth = await startAuth(container.getConnectionUri(), {
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: '2000',
      DB_POOL_MAX: '5',
      REGISTRATION_ADDRESS_MAX: '1000000',
    });
  }, 120_000);
  afterAll(async () => {
    await auth?.stop(1000);
    await container?.stop();
  }, 60_000);

  it('answers only fast 503s while it is down, recovers by itself, and loses no confirmed registration', async () => {
    const runtime = await getContainerRuntimeClient();
    const postgres = runtime.container.getById(container.getId());
    const readiness = () => request(`${auth.url}/readyz`);
    const load = new Load(auth.url);
    try {
      await eventually(() => load.confirmed.length >= 5, Boolean, {
        what: 'a few registrations before the outage',
        timeoutMs: 20_000,
        intervalMs: 50,
      });

      // Down: killed, as in a crash; nothing is left listening on the port.
      await runtime.container.stop(postgres, { timeout: 0 });
      const downFrom = Date.now();
      await eventually(() => load.since(downFrom).length >= 3 * WORKERS, Boolean, {
        what: 'answers during the outage',
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      const readyWhileDown = await readiness();
      const downUntil = Date.now();

      // Back: same data directory, same port; the service is not touched.
      await runtime.container.start(postgres);
      await eventually(async () => (await readiness()).status === 200, Boolean, {
        what: '/readyz to say ready again',
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await eventually(
        () => load.since(downUntil).some((outcome) => outcome.status === 201),
        Boolean,
        { what: 'a registration after the restart', timeoutMs: 30_000, intervalMs: 50 },
      );
      const recovered = Date.now();
      await eventually(() => load.since(recovered).length >= 3 * WORKERS, Boolean, {
        what: 'load after recovery',
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      await load.stop();

      // Never anything but success or 503: no 500, no dropped connection.
      const statuses = new Set(load.outcomes.map((outcome) => outcome.status));
      expect([...statuses].filter((status) => ![200, 201, 503].includes(status))).toEqual([]);

      // While down: every answer a 503 with Retry-After, and fast.
      const duringOutage = load.outcomes.filter(
        (outcome) => outcome.startedAt >= downFrom && outcome.endedAt <= downUntil,
      );
      expect(duringOutage.length).toBeGreaterThanOrEqual(WORKERS);
      for (const outcome of duringOutage) {
        expect(outcome).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
        expect(outcome.endedAt - outcome.startedAt).toBeLessThan(FAST_503_MS);
      }
      expect(readyWhileDown.status).toBe(503);
      expect(readyWhileDown.body).toMatchObject({
        status: 'unready',
        checks: { postgres: { status: 'down' } },
      });

      // After: every request succeeds again, on the same process.
      expect(load.since(recovered).every((outcome) => outcome.status < 300)).toBe(true);

      // No lost registrations: each 201 has its row.
      const client = new Client({ connectionString: container.getConnectionUri() });
      await client.connect();
      try {
        const { rows } = await client.query<{ username: string }>(
          'SELECT username FROM users WHERE username = ANY($1)',
          [load.confirmed],
        );
        expect(rows.map((row) => row.username).sort()).toEqual([...load.confirmed].sort());
      } finally {
        await client.end();
      }
    } finally {
      await load.stop();
    }
  }, 120_000);
});
