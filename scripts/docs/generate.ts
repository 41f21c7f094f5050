/**
 * `npm run docs`: rewrites the generated tables in docs/ (see tables.ts).
 * `npm run docs -- --check` only reports which are stale (exit 1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_API, RESOURCE_API } from '@authpair/contracts';
import { generatedBlocks, replaceGenerated } from './tables';

const root = join(__dirname, '../..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, blocks] of Object.entries(
  generatedBlocks({ auth: AUTH_API, resource: RESOURCE_API }),
)) {
  const path = join(root, file);
  const before = readFileSync(path, 'utf8');
  let after = before;
  for (const [name, content] of Object.entries(blocks))
    after = replaceGenerated(after, name, content);
  if (after === before) continue;
  stale += 1;
  if (check) process.stderr.write(`${file}: generated tables are stale (npm run docs)\n`);
  else {
    writeFileSync(path, after);
    process.stderr.write(`${file}: rewritten\n`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
