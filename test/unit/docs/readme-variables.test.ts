import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README is the operator's manual: its configuration tables list
// exactly the variables each service reads (a row for a variable that does
// nothing misleads as much as a missing one), and every other variable the
// repository's scripts read is named somewhere in it.

const root = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const NAME = /`([A-Z][A-Z0-9_]*)`/g;

/** The keys of a config module's `shape` object: the variables it reads. */
function shapeVariables(path: string): string[] {
  const source = read(path);
  const start = source.indexOf('const shape = {');
  const shape = source.slice(start, source.indexOf('\n};', start));
  return [...shape.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] as string);
}

/** The variables in the first column of the table under `### heading` in "## Configuration". */
function documented(heading: string): string[] {
  const start = readme.indexOf('## Configuration');
  const configuration = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const section = configuration.slice(configuration.indexOf(`### ${heading}\n`));
  const rows = section
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '');
  const table = rows.slice(
    0,
    rows.findIndex((line) => !line.startsWith('|')),
  );
  return table.flatMap((row) =>
    [...(row.split('|')[1] ?? '').matchAll(NAME)].map((match) => match[1] as string),
  );
}

const sorted = (names: string[]) => [...new Set(names)].sort();

describe('the README configuration tables', () => {
  it('list exactly the variables the auth service reads', () => {
    expect(sorted(documented('Auth service'))).toEqual(
      sorted(shapeVariables('services/auth/src/config.ts')),
    );
  });

  it('list exactly the variables the resource service reads', () => {
    expect(sorted(documented('Resource service'))).toEqual(
      sorted(shapeVariables('services/resource/src/config.ts')),
    );
  });

  it('list exactly the variables the web app reads', () => {
    expect(sorted(documented('Web app'))).toEqual(
      sorted(shapeVariables('services/web/src/config.ts')),
    );
  });

  it('name every variable the CI script and `npm start` read', () => {
    const ci = [...read('.ci/run').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)];
    const stack = readdirSync(join(root, 'packages/local-stack/src')).flatMap((file) => [
      ...read(`packages/local-stack/src/${file}`).matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g),
    ]);
    const named = new Set([...readme.matchAll(NAME)].map((match) => match[1]));
    const missing = sorted([...ci, ...stack].map((match) => match[1] as string)).filter(
      (name) => !named.has(name),
    );
    expect(missing).toEqual([]);
  });
});
