// Runs in a piscina worker thread: bcrypt is CPU-bound for ~250 ms at cost 12
// and would otherwise stall the event loop for every request behind it.
const { readlinkSync } = require('node:fs');
const { setPriority } = require('node:os');
const bcrypt = require('bcryptjs');

// With one hashing thread per core, the event loop's thread competes with
// them for every core; at equal priority the kernel's time slices show up as
// 10-20 ms event-loop stalls during a login flood. A lower priority (nice 10)
// for this thread lets the event loop run whenever it has work, and bcrypt
// still gets every cycle the loop does not use. Linux names the calling
// thread in /proc/thread-self; elsewhere the thread keeps the default.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // not Linux, or not permitted: equal priority is correct, only less smooth
}

/**
 * @param {{ op: 'hash', secret: string, cost: number } | { op: 'compare', secret: string, hash: string }} task
 * @returns {string | boolean}
 */
module.exports = function bcryptTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.secret, task.cost);
  if (task.op === 'compare') return bcrypt.compareSync(task.secret, task.hash);
  throw new Error(`unknown bcrypt task ${String(task.op)}`);
};
