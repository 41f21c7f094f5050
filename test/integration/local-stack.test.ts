import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/http';
import { freePort } from '../support/ports';

/**
 * `npm start`, run the way a person or a process supervisor runs it: the
 * real npm script, its real embedded PostgreSQL, stopped by a SIGTERM sent
 * to npm's own process (as `timeout` or systemd would).
 */
const root = join(__dirname, '../..');
jest.setTimeout(180_000);

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  /** Every process that held npm's output (npm, the stack, its services) has exited. */
  gone: Promise<void>;
}

function npmStart(env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const gone = Promise.all([
    new Promise((resolve) => child.stdout?.once('close', resolve)),
    new Promise((resolve) => child.stderr?.once('close', resolve)),
  ]).then(() => undefined);
  return { child, output: () => output, exit, gone };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });
}

/** A folder any user can enter and write, as the embedded PostgreSQL's system user must under root. */
function sharedFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'authpair-start-'));
  chmodSync(folder, 0o777);
  return folder;
}

describe('npm start', () => {
  it('serves both services and the web app, and a SIGTERM to npm stops them and PostgreSQL cleanly', async () => {
    const [auth, resource, web, postgres] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const data = sharedFolder();
    const started = npmStart({
      AUTH_PORT: String(auth),
      RESOURCE_PORT: String(resource),
      WEB_PORT: String(web),
      EMBEDDED_POSTGRES_PORT: String(postgres),
      AUTHPAIR_DATA_DIR: data,
      BCRYPT_COST: '10',
      REVOCATION_POLL_INTERVAL_MS: '200',
    });
    try {
      await eventually(started.output, (text) => text.includes('authpair is up'), {
        timeoutMs: 150_000,
        intervalMs: 200,
        what: '"authpair is up" in the output of npm start',
      });
      for (const port of [auth, resource, web])
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      // Idle, the default log is silent: the feed polls (every 200 ms here: 15 in 3 s) and the
      // probes log at debug. An absence can only be watched for a while, not awaited.
      const before = started.output().length;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(started.output().slice(before)).toBe('');
      // The page calls the resource service from the web app's origin: allowed there.
      const preflight = await fetch(`http://127.0.0.1:${resource}/protected`, {
        method: 'OPTIONS',
        headers: {
          origin: `http://localhost:${web}`,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://localhost:${web}`);

      // As `timeout` or a supervisor would: to npm's process only. npm forwards it (twice)
      // and exits at once; what it ran must stop by itself, services first, and cleanly.
      started.child.kill('SIGTERM');
      await started.gone;
      const stack = started
        .output()
        .split('\n')
        .filter((line) => line.includes('"service":"local-stack"'));
      expect(stack.at(-1)).toContain('"msg":"stopped"');
      expect(started.output()).not.toContain('exiting now');
      for (const port of [auth, resource, web, postgres]) expect(await listening(port)).toBe(false);
      // Errors are logged as type, message and code: never a whole object (a pg client ran to 40 KB).
      const lines = started.output().split('\n');
      expect(lines.filter((line) => line.length > 2000)).toEqual([]);
      expect(started.output()).toContain('"msg":"stopped"');
    } finally {
      started.child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot(
    'as root, with data where the postgres user cannot write, stops with one sentence saying what to do',
    async () => {
      const locked = mkdtempSync(join(tmpdir(), 'authpair-locked-')); // mode 700, like a clone under /root
      const started = npmStart({
        AUTH_PORT: String(await freePort()),
        RESOURCE_PORT: String(await freePort()),
        WEB_PORT: String(await freePort()),
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        AUTHPAIR_DATA_DIR: join(locked, 'data'),
      });
      try {
        expect(await started.exit).toBe(1);
        const output = started.output();
        expect(output).toMatch(
          /authpair: npm start runs as root, so its PostgreSQL runs as the "postgres" system user, who cannot write to .*authpair-locked-.*: .*AUTHPAIR_DATA_DIR.*\n/,
        );
        expect(output).not.toMatch(/Unhandled 'error' event|EACCES|\n\s+at /);
      } finally {
        started.child.kill('SIGKILL');
        rmSync(locked, { recursive: true, force: true });
      }
    },
  );
});
