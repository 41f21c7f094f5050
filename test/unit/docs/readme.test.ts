import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The README is the front page a newcomer reads in five minutes: the two
// commands first, then Try it, running, configuration and links into docs/.
// Long explanations live in docs/; these keep it that way.

const root = join(__dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** About 300 lines: its configuration tables are one line a variable, so a little more. */
const BUDGET_LINES = 340;

describe('the README', () => {
  it(`stays within ${BUDGET_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(BUDGET_LINES);
  });

  it('opens with the two commands: install and start, then test', () => {
    const first = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = first.split('\n').map((line) => line.replace(/#.*$/, '').trim());
    expect(commands.filter(Boolean)).toEqual(['npm ci && npm start', 'npm test']);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('goes Try it, Running it, Configuration, then links and libraries', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual(['Try it', 'Running it', 'Configuration', 'More', 'Libraries']);
  });

  it('links only to files that exist', () => {
    const files = new Set<string>();
    for (const file of ['README.md', ...markdownUnder('docs'), 'SECURITY.md'].filter((path) =>
      existsSync(join(root, path)),
    )) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue; // http:, https:, mailto:
        files.add(join(dirname(file), target as string));
      }
    }
    expect([...files].filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});

describe('the repository', () => {
  it('names no path of the machine it was written on', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((path) => path !== '' && !path.endsWith('package-lock.json'));
    const offending = tracked.filter((path) => {
      const text = readFileSync(join(root, path), 'utf8');
      return /(^|[\s'"`(=])\/(work|root|home\/[a-z]+)\//m.test(text);
    });
    expect(offending).toEqual([]);
  });
});

function markdownUnder(folder: string): string[] {
  return execFileSync('git', ['ls-files', '-z', '--', `${folder}/*.md`], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
}
