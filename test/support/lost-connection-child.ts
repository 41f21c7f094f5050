// A process of its own for the connection-loss test (SECURITY.md, hostile-input catalogue 26): it
// opens the auth service's pool, holds a checked-out client in one of the
// situations below, and waits for the test to terminate that backend with
// pg_terminate_backend. It prints one JSON line per event on stdout. An
// unhandled 'error' event on the client would end it with exit code 1 and
// nothing after "waiting"; a correct service prints how the work failed,
// shows the pool still answers, and exits 0.
//
//   node --import tsx lost-connection-child.ts <database url> transaction
//   node --import tsx lost-connection-child.ts <database url> migration <dir>

import { pino } from 'pino';
import { migrate } from '../../services/auth/src/db/migrate';
import { createPool } from '../../services/auth/src/db/pool';
import { withKeyLock } from '../../services/auth/src/keys/key-lock';

const [url, scenario, dir] = process.argv.slice(2);
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  if (url === undefined) throw new Error('usage: lost-connection-child.ts <url> <scenario> [dir]');
  const pool = createPool(
    {
      url,
      poolMax: 2,
      connectTimeoutMs: 3000,
      statementTimeoutMs: 30_000,
      startupTimeoutMs: 0,
    },
    pino({ level: 'silent' }),
  );
  let work: Promise<unknown>;
  if (scenario === 'transaction') {
    // Idle in a transaction that holds the key lock between short statements,
    // as a scheduler tick is: the backend is mostly killed between two of them.
    work = withKeyLock(pool, async (keys) => {
      say({ event: 'waiting' });
      for (;;) {
        await keys.now();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  } else if (scenario === 'migration' && dir !== undefined) {
    say({ event: 'waiting' });
    work = migrate(pool, pino({ level: 'silent' }), dir);
  } else throw new Error(`unknown scenario ${scenario}`);
  await work.then(
    () => say({ event: 'resolved' }),
    (error: unknown) =>
      say({ event: 'rejected', message: error instanceof Error ? error.message : String(error) }),
  );
  const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
  say({ event: 'pool answers', one: rows[0]?.one });
  await pool.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(2);
});
