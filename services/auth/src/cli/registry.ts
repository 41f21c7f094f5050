import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import type { AdminConfig } from '../config';
import type { Output } from './output';
import type { SecretReader } from './secret-input';

/** What a command runs with: configuration, a pool, where to print, and how to ask for a secret. */
export interface CommandContext {
  config: AdminConfig;
  pool: Pool;
  logger: Logger;
  out: Output;
  readSecret: SecretReader;
}

/** One option of a command, as `node:util` parseArgs takes it plus a description. */
export interface CommandOption {
  type: 'boolean' | 'string';
  description: string;
  short?: string;
}

export interface CommandInput {
  /** The positionals, in the order `args` names them. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

/** `auth-admin <group> <name> [args] [options]`. */
export interface Command {
  name: string;
  summary: string;
  /** Required positionals, shown as `<name>` in the usage. */
  args?: string[];
  options?: Record<string, CommandOption>;
  run(context: CommandContext, input: CommandInput): Promise<void>;
}

/** A noun and its verbs (`keys list`, `keys rotate`…); one file per group under `commands/`. */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: Command[];
}

/** Wrong arguments: exit code 2 with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The usage text to print after the message. */
    readonly usage: string,
  ) {
    super(message);
  }
}

/** The command ran and refused or failed for a reason the operator can act on: exit code 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    message: string,
    /** Extra members for the `--json` error object. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, CommandOption> = {
  json: { type: 'boolean', description: 'print JSON for scripts instead of text' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

const optionLines = (options: Record<string, CommandOption>) =>
  Object.entries(options).map(
    ([name, option]) =>
      `  ${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ' <value>' : ''}`.padEnd(
        24,
      ) + option.description,
  );

export function programUsage(groups: CommandGroup[]): string {
  return [
    'usage: auth-admin <group> <command> [arguments] [--json]',
    '',
    ...groups.flatMap((group) => [
      `${group.name}: ${group.summary}`,
      ...group.commands.map(
        (command) =>
          `  ${[group.name, command.name, ...(command.args ?? []).map((arg) => `<${arg}>`)].join(' ').padEnd(30)}${command.summary}`,
      ),
      '',
    ]),
    'Options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 done, 1 refused or failed (the message says why), 2 usage error.',
    'Reads the auth service configuration from the environment (DATABASE_URL, KEY_ENCRYPTION_KEYS, ...).',
  ].join('\n');
}

export function commandUsage(group: CommandGroup, command: Command): string {
  const args = (command.args ?? []).map((arg) => `<${arg}>`);
  const options = { ...command.options, ...GLOBAL_OPTIONS };
  return [
    `usage: auth-admin ${[group.name, command.name, ...args].join(' ')} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...optionLines(options),
  ].join('\n');
}

export function groupUsage(group: CommandGroup): string {
  return programUsage([group]);
}
