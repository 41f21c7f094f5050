import { Agent, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, type RunningServer } from '@authpair/service-kit';

// A graceful stop must end as soon as the requests in flight are answered,
// also when their clients keep connections alive (every proxy and most
// HTTP clients do): each such connection is closed once its response is
// done, instead of lingering until the grace period cuts it.

const GRACE_MS = 5000;
/** Far below the grace period, far above what a prompt close takes on a busy machine. */
const PROMPT_MS = 2500;

/** A server whose requests wait until the test lets them finish. */
async function holdingServer(onRequest: (res: ServerResponse) => void): Promise<RunningServer> {
  return listen((_req, res) => onRequest(res), { port: 0, host: '127.0.0.1' });
}

function read(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString()));
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

const agents: Agent[] = [];
afterAll(() => {
  for (const agent of agents) agent.destroy();
});

function keepAliveGet(url: string): Promise<IncomingMessage> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return new Promise((resolve, reject) => get(url, { agent }, resolve).on('error', reject));
}

/**
 * Waits for the server to hold a request, runs `before` on its response,
 * closes the server, then lets `after` finish the response.
 */
async function closeWhileHeld(
  before: (res: ServerResponse) => Promise<void>,
  after: (res: ServerResponse, finish: () => void) => void,
): Promise<{ closedInMs: number; status: number; connection: string | undefined; body: string }> {
  let held: (res: ServerResponse) => void = () => {};
  const arrived = new Promise<ServerResponse>((resolve) => {
    held = resolve;
  });
  const server = await holdingServer((res) => held(res));
  const responded = keepAliveGet(`${server.url}/slow`);
  const res = await arrived;
  await before(res);
  const started = performance.now();
  const closed = server.close(GRACE_MS).then(() => performance.now() - started);
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  after(res, finish);
  const response = await responded;
  const body = await read(response);
  await finished;
  return {
    closedInMs: await closed,
    status: response.statusCode ?? 0,
    connection: response.headers.connection,
    body,
  };
}

describe('graceful close with keep-alive clients', () => {
  it('answers the request in flight with Connection: close and resolves as soon as it is done', async () => {
    const outcome = await closeWhileHeld(
      async () => {},
      (res, finish) => res.writeHead(200, { 'content-type': 'text/plain' }).end('done', finish),
    );
    expect(outcome).toMatchObject({ status: 200, connection: 'close', body: 'done' });
    expect(outcome.closedInMs).toBeLessThan(PROMPT_MS);
  });

  it('also closes a connection whose response headers went out, as keep-alive, before the stop', async () => {
    const outcome = await closeWhileHeld(
      (res) =>
        new Promise<void>((resolve) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part 1, ', () => resolve());
        }),
      (res, finish) => res.end('part 2', finish),
    );
    expect(outcome).toMatchObject({
      status: 200,
      connection: 'keep-alive',
      body: 'part 1, part 2',
    });
    expect(outcome.closedInMs).toBeLessThan(PROMPT_MS);
  });
});
