import { CLI_AUDIT } from '../../audit/audit-log';
import type { KeyLifecycle, StepResult } from '../../keys/key-lifecycle';
import type { StoredKey } from '../../keys/key-queries';
import { explainTerms, formatDuration } from '../../keys/schedule';
import { keyLifecycleOf, keyScheduleOf } from '../../keys/signing-keys';
import { formatTime, printableCell, table } from '../output';
import type { Command, CommandContext, CommandGroup } from '../registry';

const DAY_MS = 86_400_000;

/** A time, and how far ahead it is when in the future: `2026-05-01 12:00:00Z (in 9m 12s)`. */
function when(date: Date | null, now: Date): string {
  if (date === null) return '-';
  const ahead = date.getTime() - now.getTime();
  return ahead > 0 ? `${formatTime(date)} (in ${formatDuration(ahead)})` : formatTime(date);
}

/** A key for `--json`: snake_case, ISO 8601 times, null when not set. */
function keyJson(key: StoredKey, refused?: string) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    kid: key.kid,
    state: key.state,
    kek_id: key.kekId,
    created_at: iso(key.createdAt),
    activate_at: iso(key.activateAt),
    activated_at: iso(key.activatedAt),
    retire_at: iso(key.retireAt),
    retiring_at: iso(key.retiringAt),
    remove_at: iso(key.removeAt),
    retired_at: iso(key.retiredAt),
    /** Why the service refuses this row (never publishes it, never signs with it); null: trusted or retired. */
    refused: refused ?? null,
  };
}

/** Per state: when it signs (planned or done), stops signing, leaves the JWKS. */
function keyRow(key: StoredKey, now: Date): string[] {
  const activates = key.state === 'pending' ? key.activateAt : key.activatedAt;
  const retires = key.state === 'active' ? key.retireAt : key.retiringAt;
  const removed = key.state === 'retired' ? key.retiredAt : key.removeAt;
  return [
    key.kid,
    key.state,
    key.kekId ?? '-',
    formatTime(key.createdAt),
    when(activates, now),
    when(retires, now),
    when(removed, now),
  ];
}

function printSchedule({ config, out }: CommandContext, keys: StoredKey[], now: Date) {
  const active = keys.find((key) => key.state === 'active');
  const pending = keys.find((key) => key.state === 'pending');
  const schedule = keyScheduleOf(config);
  out.text(
    `A pending key signs ${formatDuration(schedule.pendingMs)} after it is published: ${explainTerms(schedule.pendingTerms)}.`,
  );
  out.text(
    `A key leaves the JWKS ${formatDuration(schedule.retiringMs)} after it stops signing: ${explainTerms(schedule.retiringTerms)}.`,
  );
  const { rotationDays } = config.keys;
  if (pending !== undefined)
    out.text(
      `A rotation is under way: ${pending.kid} signs from ${when(pending.activateAt, now)}.`,
    );
  else if (rotationDays === 0) out.text('Automatic rotation is off (SIGNING_KEY_ROTATION_DAYS=0).');
  else {
    const since = active?.activatedAt ?? active?.createdAt;
    const next = since === undefined ? null : new Date(since.getTime() + rotationDays * DAY_MS);
    out.text(
      `Automatic rotation every ${rotationDays} days; the next starts at ${when(next, now)}.`,
    );
  }
}

/** `keys <name> <kid> [--force]`: one manual step on one key. */
function kidStep(spec: {
  name: string;
  summary: string;
  /** What --force does, for the help. */
  force: string;
  /** The past tense for the report: `Activated`. */
  done: string;
  step: (lifecycle: KeyLifecycle, kid: string, force: boolean) => Promise<StepResult>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    args: ['kid'],
    options: { force: { type: 'boolean', description: spec.force } },
    async run({ pool, config, logger, out }, { args, options }) {
      const lifecycle = keyLifecycleOf(pool, config, logger, CLI_AUDIT);
      const { key, forced, changed } = await spec.step(
        lifecycle,
        args[0] as string,
        options.force === true,
      );
      out.result({ changed, forced, key: keyJson(key) });
      const kid = printableCell(key.kid);
      if (!changed) out.text(`${kid} is already ${key.state}; nothing to do.`);
      else
        out.text(
          `${spec.done} ${kid}${forced ? ' (forced, before the schedule deemed it safe)' : ''}.`,
        );
    },
  };
}

/** `auth-admin keys …`: list, rotate, activate, retire the signing keys, re-wrap them under a new KEK. */
export const keyCommands: CommandGroup = {
  name: 'keys',
  summary: 'the access-token signing keys',
  commands: [
    {
      name: 'list',
      summary: 'every key: kid, state, KEK, created, activates, retires, leaves the JWKS',
      async run(context) {
        const { now, keys, refused } = await keyLifecycleOf(
          context.pool,
          context.config,
          context.logger,
        ).list();
        const schedule = keyScheduleOf(context.config);
        context.out.result({
          now: now.toISOString(),
          schedule: {
            pending_ms: schedule.pendingMs,
            retiring_ms: schedule.retiringMs,
            rotation_days: context.config.keys.rotationDays,
          },
          keys: keys.map((key) => keyJson(key, refused.get(key.kid))),
        });
        context.out.text(
          table(
            ['KID', 'STATE', 'KEK', 'CREATED', 'SIGNS FROM', 'STOPS SIGNING', 'LEAVES JWKS'],
            keys.map((key) => keyRow(key, now)),
          ),
        );
        if (refused.size > 0) {
          context.out.text();
          context.out.text(
            `REFUSED: ${refused.size} row(s) fail verification; the service never publishes them or signs with them.`,
          );
          context.out.text('They were not written by authpair: find out how they got there.');
          for (const reason of refused.values()) context.out.text(`  ${printableCell(reason)}`);
        }
        context.out.text();
        context.out.text(`Database time: ${formatTime(now)}.`);
        printSchedule(context, keys, now);
      },
    },
    {
      name: 'rotate',
      summary: 'add a pending key; the service activates it, then retires the old one, on schedule',
      async run({ pool, config, logger, out }) {
        const { pending, active } = await keyLifecycleOf(pool, config, logger, CLI_AUDIT).rotate();
        out.result({ pending: keyJson(pending), active: active ? keyJson(active) : null });
        const now = pending.createdAt;
        out.text(`Added pending key ${pending.kid}, published in the JWKS from now.`);
        out.text(`It starts signing at ${when(pending.activateAt, now)}.`);
        if (active !== undefined)
          out.text(
            `${active.kid} then stops signing, and leaves the JWKS at ${when(active.removeAt, now)}.`,
          );
        out.text('The auth service takes these steps itself; follow them with `keys list`.');
      },
    },
    kidStep({
      name: 'activate',
      summary: 'make a pending key sign now (refused before it is safe, unless --force)',
      force: 'activate even though verifiers may not know the key yet',
      done: 'Activated',
      step: (lifecycle, kid, force) => lifecycle.activate(kid, { force }),
    }),
    kidStep({
      name: 'retire',
      summary:
        'withdraw a pending key, or remove a retiring key from the JWKS (unsafe early: --force)',
      force: 'remove a retiring key although tokens it signed may still be valid',
      done: 'Retired',
      step: (lifecycle, kid, force) => lifecycle.retire(kid, { force }),
    }),
    {
      name: 'rewrap',
      summary: 'seal every private key under the current key-encryption key (the first one)',
      async run({ pool, config, logger, out }) {
        const result = await keyLifecycleOf(pool, config, logger, CLI_AUDIT).rewrap();
        out.result({ kek_id: result.kekId, rewrapped: result.rewrapped, exposed: result.exposed });
        out.text(
          `Re-wrapped ${result.rewrapped.length} key(s) under "${result.kekId}"; every private key is now sealed with it.`,
        );
        if (result.exposed.length > 0)
          out.text(
            `WARNING: ${result.exposed.join(', ')} was sealed under a key-encryption key published in this repository: anyone with a copy of the database from before can sign with it. Rotate it out: \`keys rotate\`, then \`keys activate <new kid>\` once that is safe; the old key then retires on schedule.`,
          );
        const others = config.keys.encryption.ids.filter((id) => id !== result.kekId);
        if (others.length > 0)
          out.text(`${others.join(', ')} can now be removed from KEY_ENCRYPTION_KEYS.`);
      },
    },
  ],
};
