import { addressKey, expandIPv6 } from '../../../services/auth/src/rate-limit/client-address';

describe('rate-limit key of a client address', () => {
  it('keeps an IPv4 address as it is, also when seen through an IPv6 socket', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::FFFF:203.0.113.9')).toBe('203.0.113.9');
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:0:1::/64';
    for (const address of [
      '2001:db8::1:0:0:0:1',
      '2001:0db8:0000:0001:ffff:ffff:ffff:ffff',
      '2001:DB8:0:1::abcd',
      '2001:db8:0:1::1%eth0',
    ])
      expect(addressKey(address)).toBe(key);
    expect(addressKey('2001:db8:0:2::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps a value that is not an address as its own key', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });

  it('expands every IPv6 spelling to eight hextets', () => {
    expect(expandIPv6('::')).toEqual(['0', '0', '0', '0', '0', '0', '0', '0']);
    expect(expandIPv6('fe80::')).toEqual(['fe80', '0', '0', '0', '0', '0', '0', '0']);
    expect(expandIPv6('64:ff9b::192.0.2.33')).toEqual([
      '64',
      'ff9b',
      '0',
      '0',
      '0',
      '0',
      'c000',
      '221',
    ]);
    expect(expandIPv6('1:2:3:4:5:6:7:8')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });
});
