import { type Role, registerRequestSchemaWith, roleSchema } from '@authpair/contracts';
import { CLI_AUDIT } from '../../audit/audit-log';
import { createSessionQueries } from '../../sessions/session-queries';
import { CommonPasswords } from '../../users/common-passwords';
import { PasswordHasher } from '../../users/password-hasher';
import {
  adminUserView,
  BaseRoleError,
  createUserAdministration,
  LastAdminError,
  type UserAdministration,
  UserNotFoundError,
} from '../../users/user-admin';
import { type User, UsernameTakenError } from '../../users/user-queries';
import { formatTime, table } from '../output';
import { type Command, type CommandContext, CommandFailed, type CommandGroup } from '../registry';

/** The administration as auth-admin runs it: sessions are ended with the plain queries. */
function administration({ pool }: CommandContext, hasher?: PasswordHasher): UserAdministration {
  return createUserAdministration({
    pool,
    endSessions: async (db, selector, reason, audit) =>
      (await createSessionQueries(db).endSessions(selector, reason, audit)).length,
    ...(hasher === undefined ? {} : { hasher }),
  });
}

/** The domain's refusals become the command's: exit code 1 with the reason. */
async function refusals<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (
      error instanceof UserNotFoundError ||
      error instanceof LastAdminError ||
      error instanceof BaseRoleError
    )
      throw new CommandFailed(error.message);
    if (error instanceof UsernameTakenError) throw new CommandFailed('that username is taken');
    throw error;
  }
}

function parseRole(value: string | undefined): Role {
  const role = roleSchema.safeParse(value);
  if (!role.success) throw new CommandFailed(`unknown role "${value}": one of user, admin`);
  return role.data;
}

/** Hashing needs the pepper: without it the password could never be checked by the service. */
function hasherFor({ config }: CommandContext): PasswordHasher {
  const { pepper, bcryptCost } = config.passwords;
  if (pepper === undefined)
    throw new CommandFailed(
      "PASSWORD_PEPPER is required to hash the password: run with the auth service's environment",
    );
  return new PasswordHasher({ cost: bcryptCost, pepper, threads: 1 });
}

const create: Command = {
  name: 'create',
  summary: 'create a user, reading the password from the terminal or stdin (never argv)',
  args: ['username'],
  options: { admin: { type: 'boolean', description: 'grant the admin role as well' } },
  async run(context, { args, options }) {
    const commonPasswords = await CommonPasswords.load();
    const schema = registerRequestSchemaWith({ isCommon: (value) => commonPasswords.has(value) });
    const username = args[0] as string;
    let password: string;
    try {
      password = await context.readSecret(`Password for ${username}: `);
    } catch (error) {
      throw new CommandFailed(error instanceof Error ? error.message : String(error));
    }
    const input = schema.safeParse({ username, password });
    if (!input.success)
      throw new CommandFailed(
        input.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '),
      );
    const hasher = hasherFor(context);
    try {
      const roles: Role[] = options.admin === true ? ['admin'] : [];
      const user = await refusals(
        administration(context, hasher).create({ ...input.data, roles }, CLI_AUDIT),
      );
      context.out.result({ user: adminUserView(user) });
      context.out.text(
        `Created ${user.username} (${user.id}) with roles ${user.roles.join(', ')}.`,
      );
    } finally {
      await hasher.close();
    }
  },
};

function roleCommand(name: 'grant' | 'revoke'): Command {
  return {
    name,
    summary:
      name === 'grant'
        ? 'grant a role; its scope arrives with the user’s next token'
        : 'revoke a role; revoking admin also ends the user’s sessions',
    args: ['username', 'role'],
    async run(context, { args }) {
      const role = parseRole(args[1]);
      const users = administration(context);
      const result = await refusals(
        users
          .findByUsername(args[0] as string)
          .then((user) => users[name](user.id, role, CLI_AUDIT)),
      );
      const { user, changed, sessionsEnded } = result;
      context.out.result({ user: adminUserView(user), changed, sessions_ended: sessionsEnded });
      if (!changed)
        context.out.text(
          `${user.username} ${name === 'grant' ? 'already holds' : 'does not hold'} ${role}.`,
        );
      else
        context.out.text(
          `${name === 'grant' ? 'Granted' : 'Revoked'} ${role} ${name === 'grant' ? 'to' : 'from'} ${user.username}` +
            (sessionsEnded > 0 ? `; ended ${sessionsEnded} session(s).` : '.'),
        );
    },
  };
}

function statusCommand(name: 'disable' | 'enable'): Command {
  return {
    name,
    summary:
      name === 'disable'
        ? 'disable a user: logins are refused and every session ends at once'
        : 'enable a disabled user (ended sessions stay ended)',
    args: ['username'],
    async run(context, { args }) {
      const users = administration(context);
      const user = await refusals(users.findByUsername(args[0] as string));
      if (name === 'enable') {
        const enabled = await refusals(users.enable(user.id, CLI_AUDIT));
        context.out.result({ user: adminUserView(enabled) });
        context.out.text(`${enabled.username} is enabled.`);
        return;
      }
      const { user: disabled, sessionsEnded } = await refusals(users.disable(user.id, CLI_AUDIT));
      context.out.result({ user: adminUserView(disabled), sessions_ended: sessionsEnded });
      context.out.text(`${disabled.username} is disabled; ended ${sessionsEnded} session(s).`);
    },
  };
}

const list: Command = {
  name: 'list',
  summary: 'every user (or those holding --role), by username',
  options: { role: { type: 'string', description: 'only users holding this role' } },
  async run(context, { options }) {
    const role = options.role === undefined ? undefined : parseRole(String(options.role));
    const users = administration(context);
    const all: User[] = [];
    let cursor: string | undefined;
    do {
      const page = await users.list({ limit: 100, role, cursor });
      all.push(...page.users);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    context.out.result({ users: all.map(adminUserView) });
    context.out.text(
      table(
        ['USERNAME', 'ID', 'ROLES', 'CREATED', 'DISABLED'],
        all.map((user) => [
          user.username,
          user.id,
          user.roles.join(','),
          formatTime(user.createdAt),
          formatTime(user.disabledAt),
        ]),
      ),
    );
  },
};

/** `auth-admin users …`: the way the first admin comes to be, and a break-glass for the rest. */
export const userCommands: CommandGroup = {
  name: 'users',
  summary: 'user accounts and their roles',
  commands: [
    create,
    list,
    roleCommand('grant'),
    roleCommand('revoke'),
    statusCommand('disable'),
    statusCommand('enable'),
  ],
};
