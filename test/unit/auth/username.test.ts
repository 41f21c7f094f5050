import { canonicalUsername, displayUsername } from '../../../services/auth/src/users/username';

describe('usernames', () => {
  it.each([
    ['Alice', 'alice'],
    ['Ａｄｍｉｎ', 'admin'],
    ['ﬁnance', 'finance'],
    ['ſam', 'sam'],
    ['\u212Aelvin', 'kelvin'], // KELVIN SIGN
    ['STRASSE', 'strasse'],
    ['straße', 'strasse'],
  ])('folds %s to the canonical %s', (input, canonical) => {
    expect(canonicalUsername(input)).toBe(canonical);
  });

  it('keeps case in the display form but applies NFKC', () => {
    expect(displayUsername('Ａｌｉｃｅ')).toBe('Alice');
  });
});
