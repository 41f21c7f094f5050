import { z } from 'zod';

/** One environment variable that failed validation, and why. */
export interface ConfigIssue {
  variable: string;
  reason: string;
}

/** Thrown at start when the environment is unusable; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `invalid configuration:\n${issues.map(({ variable, reason }) => `  ${variable}: ${reason}`).join('\n')}`,
    );
  }
}

/**
 * Parses the variables a schema names out of an environment. An empty
 * string counts as unset (Compose passes `${VAR:-}` as ""), so defaults
 * apply. Every problem is reported at once, not the first only: also
 * `alsoRefused`, what checks across variables found (see assessSecrets),
 * except for a variable the schema already refused.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined>,
  alsoRefused: readonly ConfigIssue[] = [],
): z.output<z.ZodObject<Shape>> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = z.object(shape).safeParse(input);
  const issues: ConfigIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        reason: issue.message,
      }));
  const refused = new Set(issues.map((issue) => issue.variable));
  issues.push(...alsoRefused.filter((issue) => !refused.has(issue.variable)));
  if (!result.success || issues.length > 0) throw new ConfigError(issues);
  return result.data;
}

/** Builders for the value kinds environment variables carry. */
export const envVar = {
  /** An integer within bounds. */
  int(fallback: number, min: number, max: number = Number.MAX_SAFE_INTEGER) {
    return z
      .string()
      .optional()
      .transform((raw) => raw ?? String(fallback))
      .pipe(z.string().regex(/^-?\d+$/, { error: 'must be an integer' }))
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: `must be at least ${min}` })
          .max(max, { error: `must be at most ${max}` }),
      );
  },
  /** An integer within bounds, or undefined when unset (a feature that is off until configured). */
  optionalInt(min: number, max: number = Number.MAX_SAFE_INTEGER) {
    return z
      .string()
      .regex(/^-?\d+$/, { error: 'must be an integer' })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: `must be at least ${min}` })
          .max(max, { error: `must be at most ${max}` }),
      )
      .optional();
  },
  /** An absolute http(s) URL, without a trailing slash. */
  url(fallback?: string) {
    const base = z.string();
    const source =
      fallback === undefined ? base : base.optional().transform((raw) => raw ?? fallback);
    return source.pipe(
      z
        .string()
        .refine(
          (value) => {
            try {
              const url = new URL(value);
              return url.protocol === 'http:' || url.protocol === 'https:';
            } catch {
              return false;
            }
          },
          { error: 'must be an absolute http or https URL' },
        )
        .transform((value) => value.replace(/\/+$/, '')),
    );
  },
  /** A free-form string. */
  string(fallback?: string) {
    return fallback === undefined
      ? z.string({ error: 'is required' })
      : z
          .string()
          .optional()
          .transform((raw) => raw ?? fallback);
  },
  /** A required secret of at least `minLength` characters. */
  secret(minLength: number) {
    return z
      .string({ error: 'is required' })
      .min(minLength, { error: `must be at least ${minLength} characters` });
  },
  /** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`). */
  bool(fallback: boolean) {
    return z
      .string()
      .optional()
      .transform((raw) => raw ?? String(fallback))
      .pipe(z.stringbool({ error: 'must be true or false' }));
  },
  /** One of a fixed set of words. */
  oneOf<const Values extends readonly [string, ...string[]]>(
    values: Values,
    fallback: Values[number],
  ) {
    return z
      .string()
      .optional()
      .transform((raw) => raw ?? fallback)
      .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));
  },
  /**
   * A comma-separated list of web origins (`https://app.example.com`,
   * `http://localhost:5173`): scheme, host and port only. `*` is refused:
   * an allow-list means naming each origin.
   */
  origins() {
    return envVar.list().pipe(
      z.array(
        z.string().refine(isOrigin, {
          error: (issue) =>
            `${String(issue.input)} is not an origin (scheme://host[:port], no path; * is not accepted)`,
        }),
      ),
    );
  },
  /** A comma-separated list of non-empty items. */
  list(fallback: string[] = []) {
    return z
      .string()
      .optional()
      .transform((raw) =>
        raw === undefined
          ? fallback
          : raw
              .split(',')
              .map((item) => item.trim())
              .filter((item) => item.length > 0),
      );
  },
};

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Log levels pino accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
