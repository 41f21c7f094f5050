import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The walls of .dependency-cruiser.cjs, checked the way `npm run lint`
// checks them, on a small tree laid out like this repository: it passes as
// it is, and each rule fails once one import crosses its wall.

const root = join(__dirname, '../../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** A clean tree: two services and a package, a domain folder importing another, http/ importing both. */
const CLEAN: Record<string, string> = {
  'packages/contracts/src/index.ts': 'export const CODE = 1;\n',
  'packages/service-kit/src/index.ts':
    "import { CODE } from '../../contracts/src';\nexport const KIT = CODE;\n",
  'services/auth/src/config.ts':
    "import type { TokenSettings } from './tokens/token-settings';\nexport type Config = { tokens: TokenSettings };\n",
  'services/auth/src/app.ts':
    "import type { Config } from './config';\nimport { routes } from './http/routes';\nexport const app = (config: Config) => routes(config.tokens);\n",
  'services/auth/src/tokens/token-settings.ts': 'export interface TokenSettings { ttl: number }\n',
  'services/auth/src/users/user-service.ts': "export const users = () => 'users';\n",
  'services/auth/src/sessions/session-service.ts':
    "import { users } from '../users/user-service';\nexport const sessions = () => users();\n",
  'services/auth/src/http/routes.ts':
    "import { KIT } from '../../../../packages/service-kit/src';\nimport { sessions } from '../sessions/session-service';\nimport type { TokenSettings } from '../tokens/token-settings';\nexport const routes = (settings: TokenSettings) => [sessions(), KIT, settings.ttl];\n",
  'services/resource/src/app.ts':
    "import { CODE } from '../../../packages/contracts/src';\nexport const app = () => CODE;\n",
};

/** Lays out the clean tree with `changes` applied under `dir`. */
function layOut(dir: string, changes: Record<string, string> = {}): string {
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Runs the check on `dir` exactly as `npm run lint` does; returns its exit status and report. */
function lint(dir: string): { status: number | null; report: string } {
  const run = spawnSync(
    process.execPath,
    [
      depcruise,
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
      'packages',
      'services',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: run.status, report: `${run.stdout}${run.stderr}` };
}

/** The rules each tree violates, from one process (loading the checker once per tree would take seconds each). */
function violatedRules(dirs: string[]): Record<string, string[]> {
  const run = spawnSync(
    process.execPath,
    [join(__dirname, 'cruise-trees.mjs'), join(root, '.dependency-cruiser.cjs'), ...dirs],
    { cwd: root, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`cruise-trees.mjs failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string[]>;
}

/** Appends an import of `specifier` to a file of the clean tree. */
const importing = (path: string, specifier: string): Record<string, string> => ({
  [path]: `import '${specifier}';\n${CLEAN[path] ?? ''}`,
});

const CASES: [what: string, changes: Record<string, string>, rule: string][] = [
  [
    'a service importing another service by path',
    importing('services/resource/src/app.ts', '../../auth/src/app'),
    'service-to-other-service',
  ],
  [
    'a service importing another service by its package name',
    importing('services/resource/src/app.ts', '@authpair/auth'),
    'service-to-other-service',
  ],
  [
    'a package importing a service',
    importing('packages/service-kit/src/index.ts', '../../../services/auth/src/users/user-service'),
    'package-to-service',
  ],
  [
    'a package importing a service by its package name',
    importing('packages/contracts/src/index.ts', '@authpair/web'),
    'package-to-service',
  ],
  [
    'a domain folder importing http/',
    {
      // keys/ is a folder http/ does not import, so this is no folder cycle as well.
      'services/auth/src/http/body.ts': 'export const body = 1;\n',
      'services/auth/src/keys/key-ring.ts': "import '../http/body';\n",
    },
    'domain-to-edge',
  ],
  [
    'a domain folder importing cli/',
    {
      'services/auth/src/cli/run.ts': 'export const run = 1;\n',
      ...importing('services/auth/src/users/user-service.ts', '../cli/run'),
    },
    'domain-to-edge',
  ],
  [
    'a domain folder importing the configuration',
    importing('services/auth/src/tokens/token-settings.ts', '../config'),
    'domain-to-composition-root',
  ],
  [
    'two domain folders importing each other',
    // Not a module cycle: users/user-admin.ts -> sessions/ -> users/user-service.ts.
    { 'services/auth/src/users/user-admin.ts': "import '../sessions/session-service';\n" },
    'folder-cycle',
  ],
  [
    'two packages importing each other',
    { 'packages/contracts/src/kit.ts': "import '../../service-kit/src';\n" },
    'folder-cycle',
  ],
  [
    'a module importing itself back at run time',
    {
      'services/auth/src/users/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'services/auth/src/users/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    },
    'module-cycle',
  ],
];

describe('the dependency walls (.dependency-cruiser.cjs, run by npm run lint)', () => {
  let base: string;
  let violated: Record<string, string[]>;
  const treeOf = (index: number) => join(base, `case-${index}`);

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'authpair-walls-'));
    mkdirSync(join(base, 'clean'));
    layOut(join(base, 'clean'));
    CASES.forEach(([, changes], index) => {
      mkdirSync(treeOf(index));
      layOut(treeOf(index), changes);
    });
    violated = violatedRules([join(base, 'clean'), ...CASES.map((_, index) => treeOf(index))]);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('pass on a tree that keeps them, and lint exits 0', () => {
    expect(violated[join(base, 'clean')]).toEqual([]);
    expect(lint(join(base, 'clean'))).toEqual({ status: 0, report: expect.any(String) });
  });

  it('make lint exit non-zero, naming the rule, when an import crosses one', () => {
    const { status, report } = lint(treeOf(0));
    expect(status).not.toBe(0);
    expect(report).toContain('service-to-other-service');
  });

  it.each(CASES.map(([what, , rule], index) => [what, rule, index] as const))(
    'fail on %s (%s)',
    (_what, rule, index) => {
      expect(violated[treeOf(index)]).toEqual([rule]);
    },
  );
});
