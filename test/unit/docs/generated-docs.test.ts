import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_API, AuthpairError, ERROR_CODES, RESOURCE_API } from '@authpair/contracts';
import { generatedBlocks, markdownTable, replaceGenerated } from '../../../scripts/docs/tables';

// The docs' tables that are data elsewhere (the operations, the error
// catalogue) are generated; these fail when a committed table is stale.

const root = join(__dirname, '../../..');
const blocks = generatedBlocks({ auth: AUTH_API, resource: RESOURCE_API });

describe('the generated documentation tables', () => {
  it.each(Object.entries(blocks))('in %s are what npm run docs makes', (file, named) => {
    const committed = readFileSync(join(root, file), 'utf8');
    let regenerated = committed;
    for (const [name, content] of Object.entries(named))
      regenerated = replaceGenerated(regenerated, name, content);
    expect(committed).toBe(regenerated);
  });

  it('list every operation of each service and every error code', () => {
    const api = readFileSync(join(root, 'docs/api.md'), 'utf8');
    for (const operation of [...AUTH_API.operations, ...RESOURCE_API.operations])
      expect(api).toContain(`\`${operation.method.toUpperCase()} ${operation.path}\``);
    const errors = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of ERROR_CODES) {
      expect(errors).toContain(`| \`${code}\``);
      expect(errors).toContain(`| ${new AuthpairError(code).status}`);
    }
  });

  it('escape a pipe inside a cell, so a description cannot add a column', () => {
    expect(markdownTable(['a', 'b'], [['x | y', 'z']]).split('\n')[2]).toBe('| x \\| y | z   |');
  });

  it('refuse a file whose markers are missing rather than append somewhere', () => {
    expect(() => replaceGenerated('no markers here', 'errors', 'x')).toThrow(
      'no <!-- generated:errors --> … <!-- /generated:errors --> block',
    );
  });
});
