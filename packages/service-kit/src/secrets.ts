import type { DependencyCheck } from '@authpair/contracts';
import { z } from 'zod';
import type { ConfigIssue } from './config';
import type { Logger } from './logger';

/**
 * What a secret variable holds, for what "public" and "weak" mean for it:
 * free text (a pepper, a shared token), `id:base64` key-encryption keys,
 * or a connection string whose password is the secret.
 */
export type SecretKind = 'text' | 'key-encryption-keys' | 'database-url';

/** The secret variables of a service, and the kind of each. */
export type SecretSpec = Readonly<Record<string, SecretKind>>;

/**
 * Values published in this repository as defaults (docker-compose.yml):
 * anyone can read them, so a service holding one holds no secret. Kept as
 * they are written there; a unit test reads the compose file and fails
 * when a default there is not listed here.
 */
export const PUBLIC_SECRETS = Object.freeze({
  text: Object.freeze([
    'local-only-pepper-change-me-in-production',
    'local-only-revocation-feed-token-change-me',
    'local-only-refresh-token-secret-change-me',
  ]),
  /** Compared by key bytes, whatever id an entry gives them. */
  keyEncryptionKeys: Object.freeze(['bG9jYWwtb25seS1LRUstY2hhbmdlLW1lLWluLXByb2Q=']),
  databasePasswords: Object.freeze(['authpair-local-only']),
});

/** The variable that lets a service start with public secrets; documented in the README. */
export const ALLOW_PUBLIC_SECRETS = 'ALLOW_PUBLIC_SECRETS';

/**
 * In production a text secret has at least this many characters: NIST SP
 * 800-63B asks 112 bits of a secret salt (a pepper), and 32 characters
 * from a password generator or `openssl rand -base64 24` carry more.
 */
export const PRODUCTION_MIN_SECRET_LENGTH = 32;
/** Fewer distinct characters (bytes, for a KEK) than this is a pattern, not a secret. */
const MIN_DISTINCT_CHARACTERS = 8;
const MIN_DISTINCT_KEK_BYTES = 16;

/** What the secrets of a configuration amount to. */
export interface SecretAssessment {
  /** Why start must be refused: a public secret in production without the opt-in, or a weak one. */
  issues: ConfigIssue[];
  /** Variables that hold a public secret and were accepted (opted in, or not production). */
  publicInUse: string[];
}

const optIn = z.stringbool();
const isSet = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Checks each secret variable of `spec` in `env`. A value published in
 * this repository is refused when NODE_ENV is `production`, unless
 * ALLOW_PUBLIC_SECRETS opts in; accepted otherwise, and reported in
 * `publicInUse`. In production a value that is obviously weak (short,
 * repetitive, a KEK that is text rather than random bytes) is refused.
 * Never echoes a value.
 */
export function assessSecrets(
  env: Record<string, string | undefined>,
  spec: SecretSpec,
): SecretAssessment {
  const production = env.NODE_ENV === 'production';
  const allowed = env[ALLOW_PUBLIC_SECRETS];
  const allowPublic = isSet(allowed) && optIn.safeParse(allowed).data === true;
  const issues: ConfigIssue[] = [];
  const publicInUse: string[] = [];
  for (const [variable, kind] of Object.entries(spec)) {
    const value = env[variable];
    if (!isSet(value)) continue;
    if (isPublic(kind, value)) {
      if (production && !allowPublic)
        issues.push({
          variable,
          reason: `is a default published in this repository (docker-compose.yml), so it is no secret: set your own, or ${ALLOW_PUBLIC_SECRETS}=true to run with it anyway (a laptop, never production)`,
        });
      else publicInUse.push(variable);
      continue;
    }
    if (!production) continue;
    for (const reason of weaknesses(kind, value)) issues.push({ variable, reason });
  }
  return { issues, publicInUse };
}

function isPublic(kind: SecretKind, value: string): boolean {
  switch (kind) {
    case 'text':
      return PUBLIC_SECRETS.text.includes(value);
    case 'key-encryption-keys': {
      const known = PUBLIC_SECRETS.keyEncryptionKeys.map((key) => Buffer.from(key, 'base64'));
      return kekEntries(value).some(({ key }) => known.some((published) => published.equals(key)));
    }
    case 'database-url':
      return PUBLIC_SECRETS.databasePasswords.some((password) => passwordOf(value) === password);
  }
}

function weaknesses(kind: SecretKind, value: string): string[] {
  switch (kind) {
    case 'text':
      if (value.length < PRODUCTION_MIN_SECRET_LENGTH)
        return [
          `must be at least ${PRODUCTION_MIN_SECRET_LENGTH} characters with NODE_ENV=production`,
        ];
      if (new Set(value).size < MIN_DISTINCT_CHARACTERS)
        return [`repeats too few characters to be a secret (${new Set(value).size} distinct)`];
      return [];
    case 'key-encryption-keys':
      return kekEntries(value).flatMap(({ index, id, key }) => {
        const where = `entry ${index + 1} ("${id}")`;
        if (key.every((byte) => byte >= 0x20 && byte <= 0x7e))
          return [
            `${where} is text, not random bytes: generate one with \`openssl rand -base64 32\``,
          ];
        if (new Set(key).size < MIN_DISTINCT_KEK_BYTES)
          return [`${where} repeats too few byte values to be random`];
        return [];
      });
    case 'database-url':
      return []; // the database's own password policy is the database's business
  }
}

/** The well-formed 32-byte entries of a `KEY_ENCRYPTION_KEYS` value (the config reports the rest). */
function kekEntries(value: string): Array<{ index: number; id: string; key: Buffer }> {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .flatMap((item, index) => {
      const colon = item.indexOf(':');
      if (colon < 0) return [];
      const key = Buffer.from(item.slice(colon + 1), 'base64');
      return key.length === 32 ? [{ index, id: item.slice(0, colon), key }] : [];
    });
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return undefined;
  }
}

/**
 * Says at start, once, that this process runs with public secrets, and
 * gives `/readyz` a `secrets` check that says so for as long as it runs:
 * degraded (still ready), naming the variables. No check when there are none.
 */
export function publicSecretsNotice(
  publicInUse: readonly string[],
  logger: Logger,
): Record<string, () => Promise<DependencyCheck>> {
  if (publicInUse.length === 0) return {};
  const variables = [...publicInUse];
  const detail = `running with secrets published in this repository: ${variables.join(', ')}; anyone can read them`;
  logger.warn({ variables }, detail);
  return {
    secrets: async () => ({ status: 'degraded', detail, variables }),
  };
}
