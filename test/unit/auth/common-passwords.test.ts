import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD_POLICY } from '@authpair/contracts';
import {
  COMMON_PASSWORDS_FILE,
  CommonPasswords,
} from '../../../services/auth/src/users/common-passwords';

describe('the common-password list', () => {
  let list: CommonPasswords;

  beforeAll(async () => {
    list = await CommonPasswords.load();
  });

  it('ships with the service: over ten thousand entries', () => {
    expect(list.size).toBeGreaterThan(10_000);
  });

  it('matches after NFKC and ignoring case', () => {
    for (const password of ['password', 'PASSWORD', 'PassWord1', 'ｐａｓｓｗｏｒｄ１', 'iloveyou'])
      expect(list.has(password)).toBe(true);
  });

  it('does not match a password merely containing a common one', () => {
    expect(list.has('correct horse battery staple')).toBe(false);
    expect(list.has('password but longer and mine')).toBe(false);
  });

  it('holds one lower-case entry per line, none the length rule would refuse anyway', async () => {
    const lines = (await readFile(COMMON_PASSWORDS_FILE, 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBe(list.size);
    const odd = lines.filter(
      (line) =>
        [...line.normalize('NFKC')].length < PASSWORD_POLICY.minLength ||
        line !== line.toLowerCase(),
    );
    expect(odd).toEqual([]);
  });

  it('refuses to start from an empty list rather than allow every password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'passwords-'));
    const file = join(dir, 'empty.txt');
    await writeFile(file, '\n\n');
    await expect(CommonPasswords.load(file)).rejects.toThrow('is empty');
  });
});
