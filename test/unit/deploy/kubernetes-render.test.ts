/**
 * @jest-environment ./test/support/runtime-skip-environment.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { skipAtRuntime } from '../../support/runtime-skip';
import { DEPLOY, OVERLAYS, overlayNames, parseDocuments, RENDERED } from './kubernetes/objects';

// The committed renderings must be what the overlays render to, and the
// secret-files example must roll the pods when a Secret changes. Both need
// kustomize: kubectl 1.21 or later (Debian's 1.20 carries a kustomize that
// knows no components). Without it these tests are skipped, saying so; the
// committed files are still validated (kubernetes-manifests.test.ts).

/** kubectl's minor version when kubectl 1.21+ answers, else undefined. */
function kubectlMinor(): number | undefined {
  const version = spawnSync('kubectl', ['version', '--client', '-o', 'json'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (version.status !== 0) return undefined;
  const { clientVersion } = JSON.parse(version.stdout) as {
    clientVersion: { major: string; minor: string };
  };
  const minor = Number.parseInt(clientVersion.minor, 10);
  return clientVersion.major === '1' && minor >= 21 ? minor : undefined;
}

const minor = kubectlMinor();

function kustomize(directory: string): unknown[] {
  if (minor === undefined)
    skipAtRuntime(
      '[kubernetes] SKIPPED: no kubectl 1.21+ on PATH, so the overlays were not rendered and compared with deploy/kubernetes/rendered/ (the committed files were still validated).',
    );
  const rendered = spawnSync('kubectl', ['kustomize', directory], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (rendered.status !== 0) throw new Error(`kubectl kustomize ${directory}: ${rendered.stderr}`);
  return parseDocuments(rendered.stdout);
}

describe('kubectl kustomize', () => {
  it.each(overlayNames())('renders the %s overlay as committed', (overlay) => {
    const committed = parseDocuments(readFileSync(join(RENDERED, `${overlay}.yaml`), 'utf8'));
    // Compared as data: kustomize versions may lay the YAML out differently.
    expect(kustomize(join(OVERLAYS, overlay))).toEqual(committed);
  });

  describe('with the secret-files example', () => {
    let directory: string;
    const files = {
      'auth-secrets.env': {
        PASSWORD_PEPPER: 'pepper-for-the-test-only-0001',
        KEY_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 1).toString('base64')}`,
        REFRESH_TOKEN_SECRET: 'refresh-token-secret-for-the-test-only',
      },
      'revocation-feed.env': { REVOCATION_FEED_TOKEN: 'revocation-feed-token-for-the-test-only' },
      'database.env': { DATABASE_URL: 'postgres://authpair:test@db.example:5432/authpair' },
    };

    /** The example, copied outside the repository as the operator would, with `files` beside it. */
    function write(values: typeof files): void {
      const example = readFileSync(
        join(DEPLOY, 'examples/secret-files/kustomization.yaml'),
        'utf8',
      );
      const overlay = relative(directory, join(OVERLAYS, 'production'));
      writeFileSync(
        join(directory, 'kustomization.yaml'),
        example.replace('../../overlays/production', overlay),
      );
      for (const [file, pairs] of Object.entries(values))
        writeFileSync(
          join(directory, file),
          Object.entries(pairs)
            .map(([key, value]) => `${key}=${value}\n`)
            .join(''),
        );
    }

    const podTemplates = () =>
      Object.fromEntries(
        kustomize(directory)
          .filter((doc) => (doc as { kind: string }).kind === 'Deployment')
          .map((doc) => {
            const deployment = doc as { metadata: { name: string }; spec: { template: unknown } };
            return [deployment.metadata.name, JSON.stringify(deployment.spec.template)];
          }),
      );

    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), 'authpair-secrets-'));
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('rolls the pods that read a Secret when its value changes, and only those', () => {
      write(files);
      const before = podTemplates();
      write({
        ...files,
        'auth-secrets.env': {
          ...files['auth-secrets.env'],
          REFRESH_TOKEN_SECRET: 'rotated-secret',
        },
      });
      const after = podTemplates();

      expect(after['authpair-auth']).not.toEqual(before['authpair-auth']);
      expect(after['authpair-resource']).toEqual(before['authpair-resource']);
    });

    it('rolls both services when the feed token they share changes', () => {
      write(files);
      const before = podTemplates();
      write({
        ...files,
        'revocation-feed.env': { REVOCATION_FEED_TOKEN: 'another-token-for-the-test' },
      });
      const after = podTemplates();

      expect(after['authpair-auth']).not.toEqual(before['authpair-auth']);
      expect(after['authpair-resource']).not.toEqual(before['authpair-resource']);
    });
  });
});
