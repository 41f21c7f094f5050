import { printable } from '../../../services/auth/src/db/printable';

describe('request text made safe to store', () => {
  it('drops control and format characters', () => {
    expect(printable('agent\t\u0085\u009b\u00ad\u200b/1.0', 64)).toBe('agent/1.0');
  });

  it('cuts at a byte bound, on a character boundary, so a column check holds in any database encoding', () => {
    const cut = printable(`a${'é'.repeat(600)}`, 512) as string;
    expect(cut).toBe(`a${'é'.repeat(255)}`);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(512);
    expect(printable('😀😀😀', 10)).toBe('😀😀');
  });

  it('gives null for nothing, or for nothing printable', () => {
    expect(printable(undefined, 10)).toBeNull();
    expect(printable('\u0000\t', 10)).toBeNull();
  });
});
