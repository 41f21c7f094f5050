import { loadAdminConfig } from '@authpair/auth';
import { ConfigError } from '@authpair/service-kit';
import { runAdmin as run } from '../../support/admin';

// No database here: every case stops before one is needed.

describe('auth-admin usage', () => {
  it('lists every command and exits 2 when given none', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toContain('auth-admin: no command given');
    for (const command of ['list', 'rotate', 'activate <kid>', 'retire <kid>', 'rewrap'])
      expect(stderr).toContain(`keys ${command}`);
  });

  it('prints help on stdout and exits 0 when asked', async () => {
    for (const argv of [['--help'], ['keys', '--help'], ['keys', 'activate', '--help']]) {
      const { code, stdout } = await run(argv);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^usage: auth-admin/);
    }
    expect((await run(['keys', 'activate', '-h'])).stdout).toContain('--force');
  });

  it.each([
    [['groups'], 'unknown command group "groups"'],
    [['users'], 'no users command given'],
    [['users', 'create'], 'expected <username>'],
    [['users', 'grant', 'alice'], 'expected <username> <role>'],
    [['keys'], 'no keys command given'],
    [['keys', 'frobnicate'], 'unknown command "keys frobnicate"'],
    [['keys', 'activate'], 'expected <kid>'],
    [['keys', 'activate', 'a', 'b'], 'expected <kid>'],
    [['keys', 'list', 'extra'], 'unexpected argument "extra"'],
    [['keys', 'list', '--force'], "Unknown option '--force'"],
  ])('exits 2 for %j: %s', async (argv, message) => {
    const { code, stderr, stdout } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: auth-admin');
    expect(stdout).toBe('');
  });

  it('takes a kid that begins with "-" as the kid, not as an option (thumbprints are base64url)', async () => {
    // No database here: getting past the argument parser shows as the missing-variable refusal (1), not usage (2).
    for (const argv of [
      ['keys', 'retire', '-Xq3aZ', '--force'],
      ['keys', 'activate', '--force', '-Xq3aZ'],
      ['keys', 'activate', '--', '-h'],
    ]) {
      const { code, stderr } = await run(argv);
      expect({ argv, code }).toEqual({ argv, code: 1 });
      expect(stderr).toContain('DATABASE_URL: is required');
    }
    expect((await run(['keys', 'activate', '-h'])).code).toBe(0);
  });

  it('exits 1 naming the variables it lacks, and does not ask for the password pepper', async () => {
    const { code, stderr } = await run(['keys', 'list']);
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL: is required');
    expect(stderr).toContain('KEY_ENCRYPTION_KEYS: is required');
    expect(stderr).not.toContain('PASSWORD_PEPPER');
  });

  it('reports a refusal as a JSON error object under --json', async () => {
    const { code, stdout } = await run(['keys', 'list', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      error: { message: expect.stringContaining('DATABASE_URL: is required') },
    });
  });
});

describe('the admin configuration', () => {
  it('needs the database and the key-encryption keys, not the pepper', () => {
    const config = loadAdminConfig({
      DATABASE_URL: 'postgres://db/authpair',
      KEY_ENCRYPTION_KEYS: `k:${Buffer.alloc(32).toString('base64')}`,
    });
    expect(config.keys.encryption.currentId).toBe('k');
    expect(config.keys).toMatchObject({
      rotationDays: 90,
      refreshIntervalMs: 10_000,
      verifiers: { jwksMaxTtl: 600, cooldown: 30, clockTolerance: 60 },
    });
    // Only `users create` needs the pepper, and says so when it is missing.
    expect(config.passwords).toEqual({ bcryptCost: 12, pepper: undefined });
  });

  it('names a malformed key-encryption key', () => {
    expect(() =>
      loadAdminConfig({ DATABASE_URL: 'postgres://db/a', KEY_ENCRYPTION_KEYS: 'k:short' }),
    ).toThrow(
      new ConfigError([
        { variable: 'KEY_ENCRYPTION_KEYS', reason: 'entry 1 ("k") must be 32 bytes in base64' },
      ]),
    );
  });
});
