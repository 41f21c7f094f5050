import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// SECURITY.md proves each guarantee by naming a test file and quoting test
// titles. Tests get renamed and behaviour changes; these fail when the page
// cites a file or a title that no longer exists, so a stale claim cannot
// keep pointing at a test that no longer proves it.

const root = join(__dirname, '../../..');
const page = readFileSync(join(root, 'SECURITY.md'), 'utf8');

/** A cited test file: `folder/name.test.ts` is under test/; a bare name is in test/security/ (the page says so). */
function testFilePath(cited: string): string {
  if (cited.startsWith('test/')) return join(root, cited);
  if (cited.includes('/')) return join(root, 'test', cited);
  return join(root, 'test/security', cited);
}

interface Citation {
  row: string;
  file: string;
  titles: string[];
}

/** Splits a markdown table row into cells, keeping escaped pipes inside a cell. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/**
 * Every table row citing a test file: `file.test.ts` followed by the quoted
 * titles up to the next `;` or the next cited file.
 */
function citations(markdown: string): Citation[] {
  const found: Citation[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|') || /^\|[\s|:-]+\|$/.test(line.trim())) continue;
    const row = cells(line)[0] ?? line;
    for (const cell of cells(line)) {
      const cited = [...cell.matchAll(/`([\w./-]+\.test\.ts)`/g)];
      cited.forEach((match, index) => {
        const start = (match.index ?? 0) + match[0].length;
        const end = cited[index + 1]?.index ?? cell.length;
        const rest = cell.slice(start, end);
        found.push({ row, file: match[1] ?? '', titles: quotedTitles(rest) });
      });
    }
  }
  return found;
}

/**
 * The quoted titles up to the first `;` outside quotes. A quote inside
 * parentheses is prose (`(see "Fuzzing every route")`), not a title.
 */
function quotedTitles(text: string): string[] {
  const titles: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) break;
      if (depth === 0) titles.push(text.slice(i + 1, end));
      i = end;
    } else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === ';' && depth === 0) break;
  }
  return titles;
}

/** Index just past the bracket that closes the one at `open`, skipping strings. */
function closing(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const char = source[i];
    if (char === "'" || char === '"' || char === '`') {
      i = stringEnd(source, i) - 1;
    } else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return source.length;
}

/** Index just past the string literal that starts at `start`. */
function stringEnd(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (quote === '`' && source.startsWith('${', i)) i = closing(source, i + 1) - 1;
    else if (source[i] === quote) return i + 1;
  }
  return source.length;
}

/**
 * The titles of it()/test()/describe() calls (with .each/.only/.skip…), each
 * as a pattern: a template's `${…}` and a printf-style `%s` of .each match
 * any text.
 */
function testTitles(source: string): RegExp[] {
  const titles: RegExp[] = [];
  const call = /(?<![\w.$])(?:it|test|describe|describeWithDocker)\b/g;
  for (const match of source.matchAll(call)) {
    let at = (match.index ?? 0) + match[0].length;
    for (;;) {
      const modifier = /^\s*\.\s*(\w+)/.exec(source.slice(at));
      if (!modifier) break;
      at += modifier[0].length;
      if (modifier[1] === 'each') {
        const args = /^\s*\(/.exec(source.slice(at));
        if (!args) break;
        at = closing(source, at + args[0].length - 1);
      }
    }
    const opening = /^\s*\(\s*/.exec(source.slice(at));
    if (!opening) continue;
    at += opening[0].length;
    if (!["'", '"', '`'].includes(source[at] ?? '')) continue;
    const literal = source.slice(at + 1, stringEnd(source, at) - 1);
    titles.push(titlePattern(literal, source[at] === '`'));
  }
  return titles;
}

function titlePattern(literal: string, template: boolean): RegExp {
  let pattern = '';
  for (let i = 0; i < literal.length; i++) {
    if (literal[i] === '\\') {
      pattern += escapeRegExp(literal[i + 1] ?? '');
      i++;
    } else if (template && literal.startsWith('${', i)) {
      i = closing(literal, i + 1) - 1;
      pattern += '.+?';
    } else if (literal[i] === '%' && /[sdifjop#%]/.test(literal[i + 1] ?? '')) {
      pattern += literal[i + 1] === '%' ? '%' : '.+?';
      i++;
    } else pattern += escapeRegExp(literal[i] ?? '');
  }
  return new RegExp(`^${pattern}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Link {
  file: string;
  anchor: string | undefined;
}

/** Relative targets of markdown links `[text](target)`; `#anchor` alone is this page. */
function relativeLinks(markdown: string): Link[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => {
      const [file = '', anchor] = target.split('#');
      return { file: decodeURI(file) || 'SECURITY.md', anchor };
    });
}

/** GitHub's anchors of a markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const heading of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

describe('SECURITY.md', () => {
  const cited = citations(page);

  it('cites tests in its tables, so these checks are not vacuous', () => {
    expect(cited.length).toBeGreaterThan(50);
    expect(cited.filter((citation) => citation.titles.length > 0).length).toBeGreaterThan(30);
  });

  it('cites only test files that exist', () => {
    const missing = cited
      .filter((citation) => !existsSync(testFilePath(citation.file)))
      .map((citation) => `${citation.file} (row: ${citation.row.slice(0, 60)})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('quotes only titles that a test or describe in the cited file has', () => {
    const missing: string[] = [];
    for (const citation of cited) {
      const path = testFilePath(citation.file);
      if (!existsSync(path)) continue;
      const titles = testTitles(readFileSync(path, 'utf8'));
      for (const title of citation.titles)
        if (!titles.some((pattern) => pattern.test(title)))
          missing.push(`${citation.file}: "${title}"`);
    }
    expect(missing).toEqual([]);
  });

  it('links only to files, and headings of markdown files, that exist', () => {
    const links = relativeLinks(page);
    expect(links.length).toBeGreaterThan(0);
    const broken = links.filter(({ file, anchor }) => {
      const path = resolve(root, file);
      if (!existsSync(path)) return true;
      if (anchor === undefined || !path.endsWith('.md') || !statSync(path).isFile()) return false;
      return !headingAnchors(readFileSync(path, 'utf8')).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});

describe('the title finder SECURITY.md is checked with', () => {
  it('finds it, test and describe titles, with modifiers and .each, and not a regex .test()', () => {
    const source = [
      "describe('outer', () => {",
      '  it("double quoted", () => {});',
      "  it.each([[1, 'x'], [2, 'y']])('case %s of %s', () => {});",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source of a test with a template title
      '  test.skip(`with ${count} templated`, () => {});',
      "  expect(/x/.test('not a title')).toBe(true);",
      "  describeWithDocker.each([['a server']])('with %s', () => {});",
      '});',
    ].join('\n');
    const titles = testTitles(source);
    const matches = (title: string) => titles.some((pattern) => pattern.test(title));
    expect(matches('outer')).toBe(true);
    expect(matches('double quoted')).toBe(true);
    expect(matches('case 1 of x')).toBe(true);
    expect(matches('with 3 templated')).toBe(true);
    expect(matches('with a server')).toBe(true);
    expect(matches('not a title')).toBe(false);
    expect(matches('double')).toBe(false);
  });

  it('makes the anchors GitHub makes of headings', () => {
    expect([
      ...headingAnchors(
        '# A `row` written, never signs\n## Request ids: ours\n## Request ids: ours',
      ),
    ]).toEqual(['a-row-written-never-signs', 'request-ids-ours', 'request-ids-ours-1']);
  });

  it('reads a cited file and its quoted titles up to the next citation or semicolon', () => {
    const row =
      '| g | `integration/a.test.ts` "one (x)", "two"; "prose" `security/b.test.ts` (see "a section") `c.test.ts` "three" |';
    expect(citations(row)).toEqual([
      { row: 'g', file: 'integration/a.test.ts', titles: ['one (x)', 'two'] },
      { row: 'g', file: 'security/b.test.ts', titles: [] },
      { row: 'g', file: 'c.test.ts', titles: ['three'] },
    ]);
  });
});
