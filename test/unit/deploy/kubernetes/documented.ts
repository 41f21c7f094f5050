import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './objects';

// What the manifests may refer to, read from the documentation the
// operator reads: the README's configuration tables (the variables each
// service reads) and docs/kubernetes.md's table of Secrets.

/** What the policy checks hold the manifests to. */
export interface Documented {
  /** Per container name of a service: the variables it reads. */
  variables: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per Secret name: the keys it holds. */
  secrets: ReadonlyMap<string, ReadonlySet<string>>;
}

const NAME = /`([A-Za-z][A-Za-z0-9_.-]*)`/g;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The rows of the first Markdown table after `heading` (a whole line), split into cells. */
export function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.split('\n').indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const lines = markdown.split('\n').slice(start + 1);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1));
  }
  // Header and separator rows.
  return rows.slice(2);
}

const namesIn = (cell: string | undefined) =>
  [...(cell ?? '').matchAll(NAME)].map((match) => match[1] as string);

function variablesOf(readme: string, heading: string): Set<string> {
  // The API section has headings of the same names.
  const configuration = readme.slice(readme.indexOf('\n## Configuration\n'));
  const names = tableAfter(configuration, heading).flatMap((row) => namesIn(row[0]));
  return new Set(names);
}

export function secretsTable(markdown: string): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const row of tableAfter(markdown, '## Secrets')) {
    const [name] = namesIn(row[0]);
    if (name !== undefined) secrets.set(name, new Set(namesIn(row[1])));
  }
  return secrets;
}

export function loadDocumented(): Documented {
  const readme = read('README.md');
  return {
    variables: new Map([
      ['auth', variablesOf(readme, '### Auth service')],
      ['resource', variablesOf(readme, '### Resource service')],
    ]),
    secrets: secretsTable(read('docs/kubernetes.md')),
  };
}
