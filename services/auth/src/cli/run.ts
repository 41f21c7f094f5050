import { parseArgs } from 'node:util';
import { ConfigError, createLogger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { loadAdminConfig } from '../config';
import { isDatabaseUnavailable } from '../db/errors';
import { readMigrations } from '../db/migrate';
import { createPool } from '../db/pool';
import { KeyDecryptionError } from '../keys/key-encryption';
import { KeyStepRefused } from '../keys/key-rules';
import { COMMAND_GROUPS } from './commands';
import { createOutput, printableLines, type Streams } from './output';
import {
  type Command,
  CommandFailed,
  type CommandGroup,
  type CommandOption,
  commandUsage,
  GLOBAL_OPTIONS,
  groupUsage,
  programUsage,
  UsageError,
} from './registry';
import type { SecretReader } from './secret-input';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface RunOptions extends Streams {
  env: Record<string, string | undefined>;
  groups?: CommandGroup[];
  /** How commands read a password (main.ts: the terminal or stdin). Without it they refuse. */
  readSecret?: SecretReader;
}

const noSecretInput: SecretReader = async () => {
  throw new CommandFailed('this command needs a password on standard input');
};

interface Resolved {
  group: CommandGroup;
  command: Command;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

/** Finds the command and parses its arguments; `string` when only help was asked for. */
/**
 * The arguments with every positional moved behind `--`, so that parseArgs
 * never reads one as options. A kid is an RFC 7638 thumbprint in base64url
 * and begins with "-" once in 64: `-Xq3…` is a kid, not the short options
 * X, q and 3. Options are `--name`, `--name=value`, `--name value` for a
 * string option, and a declared short option alone (`-h`); the rest, and
 * everything after a `--` of the operator's, is positional.
 */
function positionalsLast(args: string[], options: Record<string, CommandOption>): string[] {
  const shorts = new Map<string, string>();
  for (const [name, option] of Object.entries(options))
    if (option.short !== undefined) shorts.set(`-${option.short}`, name);
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const token = args[index] as string;
    if (token === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    const name = token.startsWith('--') ? token.slice(2).split('=')[0] : shorts.get(token);
    if (name === undefined) {
      positionals.push(token);
      continue;
    }
    flags.push(token);
    const takesValue = options[name]?.type === 'string' && !token.includes('=');
    if (takesValue && index + 1 < args.length) {
      index += 1;
      flags.push(args[index] as string);
    }
  }
  return [...flags, '--', ...positionals];
}

function resolve(argv: string[], groups: CommandGroup[]): Resolved | string {
  const [groupName, commandName, ...rest] = argv;
  const helpWanted = (word: string | undefined) =>
    word === undefined || word === 'help' || word === '--help' || word === '-h';
  if (helpWanted(groupName)) {
    if (groupName === undefined) throw new UsageError('no command given', programUsage(groups));
    return programUsage(groups);
  }
  const group = groups.find((candidate) => candidate.name === groupName);
  if (group === undefined)
    throw new UsageError(`unknown command group "${groupName}"`, programUsage(groups));
  if (helpWanted(commandName)) {
    if (commandName === undefined)
      throw new UsageError(`no ${group.name} command given`, groupUsage(group));
    return groupUsage(group);
  }
  const command = group.commands.find((candidate) => candidate.name === commandName);
  if (command === undefined)
    throw new UsageError(`unknown command "${group.name} ${commandName}"`, groupUsage(group));
  const usage = commandUsage(group, command);
  const declared = { ...command.options, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: positionalsLast(rest, declared),
      options: declared,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
  if (parsed.values.help === true) return usage;
  const expected = command.args ?? [];
  if (parsed.positionals.length !== expected.length)
    throw new UsageError(
      expected.length === 0
        ? `unexpected argument "${parsed.positionals[0]}"`
        : `expected ${expected.map((arg) => `<${arg}>`).join(' ')}`,
      usage,
    );
  const options: Resolved['options'] = {};
  for (const [name, value] of Object.entries(parsed.values))
    options[name] = Array.isArray(value) ? value.at(-1) : value; // no option is declared `multiple`
  return { group, command, args: parsed.positionals, options };
}

/** Refuses to act on a database whose schema is older than this tool. */
async function assertSchemaCurrent(pool: Pool): Promise<void> {
  const shipped = await readMigrations();
  const applied = await pool
    .query<{ version: string }>('SELECT version FROM schema_migrations')
    .then(({ rows }) => new Set(rows.map((row) => row.version)))
    .catch(() => new Set<string>());
  const missing = shipped.filter((migration) => !applied.has(migration.version));
  if (missing.length > 0)
    throw new CommandFailed(
      `the database schema lacks ${missing.map((migration) => migration.name).join(', ')}: start the auth service of this version once first`,
    );
}

/**
 * `auth-admin`: runs one command and returns its exit code (0 done, 1
 * refused or failed, 2 usage). Never calls process.exit, so tests run it
 * in-process with captured streams.
 */
export async function runAuthAdmin(argv: string[], options: RunOptions): Promise<number> {
  const groups = options.groups ?? COMMAND_GROUPS;
  const json = argv.includes('--json');
  const out = createOutput(json, options);
  const fail = (code: number, message: string, details: Record<string, unknown> = {}) => {
    if (json) out.result({ error: { message, ...details } });
    else options.stderr(`auth-admin: ${printableLines(message)}\n`);
    return code;
  };

  let resolved: Resolved | string;
  try {
    resolved = resolve(argv, groups);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    options.stderr(`auth-admin: ${error.message}\n\n${error.usage}\n`);
    return EXIT_USAGE;
  }
  if (typeof resolved === 'string') {
    options.stdout(`${resolved}\n`);
    return EXIT_OK;
  }

  let pool: Pool | undefined;
  try {
    const config = loadAdminConfig(options.env);
    // Steps are reported by the command's own output; the log only carries errors.
    const logger = createLogger({
      service: 'auth-admin',
      level: 'error',
      destination: { write: (chunk: string) => options.stderr(chunk) } as NodeJS.WritableStream,
    });
    pool = createPool(config.database, logger);
    await assertSchemaCurrent(pool);
    await resolved.command.run(
      { config, pool, logger, out, readSecret: options.readSecret ?? noSecretInput },
      { args: resolved.args, options: resolved.options },
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof KeyStepRefused)
      return fail(EXIT_FAILED, `refused: ${error.message}`, {
        refused: true,
        ...(error.safeAt === undefined ? {} : { safe_at: error.safeAt.toISOString() }),
      });
    if (error instanceof CommandFailed) return fail(EXIT_FAILED, error.message, error.details);
    if (error instanceof ConfigError || error instanceof KeyDecryptionError)
      return fail(EXIT_FAILED, error.message);
    const message = error instanceof Error ? error.message : String(error);
    if (isDatabaseUnavailable(error))
      return fail(EXIT_FAILED, `cannot reach PostgreSQL at DATABASE_URL: ${message}`);
    return fail(EXIT_FAILED, `failed: ${message}`);
  } finally {
    await pool?.end();
  }
}
