import {
  formatCursor,
  InvalidCursorError,
  parseCursor,
} from '../../../services/auth/src/sessions/revocation-feed';

describe('revocation feed cursor', () => {
  it('round-trips a horizon and a position inside a transaction', () => {
    for (const cursor of [
      '0',
      '734',
      '18446744073709551615',
      '42.6f1c2d3e-0000-4000-8000-000000000001',
    ])
      expect(formatCursor(parseCursor(cursor))).toBe(cursor);
  });

  it('starts at the beginning without one', () => {
    expect(formatCursor(parseCursor(undefined))).toBe('0');
  });

  it('refuses anything else before it reaches SQL', () => {
    for (const bad of [
      '',
      'abc',
      '-1',
      '1.2',
      '1.',
      '1 OR 1=1',
      '123456789012345678901',
      '1.6F1C2D3E-0000-4000-8000-000000000001',
    ])
      expect(() => parseCursor(bad)).toThrow(InvalidCursorError);
  });
});
