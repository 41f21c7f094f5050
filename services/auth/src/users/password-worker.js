// Runs in a piscina worker thread: bcrypt is CPU-bound for ~250 ms at cost 12
// and would otherwise stall the event loop for every request behind it.
const bcrypt = require('bcryptjs');

/**
 * @param {{ op: 'hash', secret: string, cost: number } | { op: 'compare', secret: string, hash: string }} task
 * @returns {string | boolean}
 */
module.exports = function bcryptTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.secret, task.cost);
  if (task.op === 'compare') return bcrypt.compareSync(task.secret, task.hash);
  throw new Error(`unknown bcrypt task ${String(task.op)}`);
};
