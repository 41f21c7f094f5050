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

  it('keys a NAT64 address (64:ff9b::/96) by the IPv4 client it embeds, not by the gateway’s /64', () => {
    expect(addressKey('64:ff9b::203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('64:ff9b::cb00:7109')).toBe('203.0.113.9');
    expect(addressKey('64:FF9B:0:0:0:0:CB00:7109')).toBe('203.0.113.9');
    // Two clients behind one translator: two buckets, as over IPv4.
    expect(addressKey('64:ff9b::198.51.100.7')).not.toBe(addressKey('64:ff9b::203.0.113.9'));
    // The same client directly over IPv4: the same bucket.
    expect(addressKey('64:ff9b::203.0.113.9')).toBe(addressKey('203.0.113.9'));
  });

  it('keys the local-use NAT64 range (64:ff9b:1::/48) by the client too, whatever prefix the translator uses', () => {
    expect(addressKey('64:ff9b:1::203.0.113.9')).toBe('203.0.113.9');
    // A /64 translation prefix (RFC 6052): the IPv4 address sits in bits 72-103.
    const a = addressKey('64:ff9b:1:7::cb:71:900:0');
    const b = addressKey('64:ff9b:1:7::c6:3364:700:0');
    expect(a).not.toBe(b);
    expect(a).not.toBe('64:ff9b:1:7::/64');
  });

  it('keys 6to4 (2002::/16) by the site’s IPv4 address, so its 65536 /64s are one bucket', () => {
    expect(addressKey('2002:cb00:7109:1::1')).toBe('203.0.113.9');
    expect(addressKey('2002:cb00:7109:ffff::abcd')).toBe('203.0.113.9');
  });

  it('keys Teredo (2001::/32) by the client’s public IPv4 address, not the relay’s /64', () => {
    // RFC 4380 §4: the client's address inverted in the last 32 bits (here 192.0.2.45).
    expect(addressKey('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('192.0.2.45');
    expect(addressKey('2001:0:4136:e378:8000:63bf:3fff:fdd3')).not.toBe('192.0.2.45');
  });

  it('keys an IPv4-mapped address written in hex as the IPv4 address', () => {
    expect(addressKey('::ffff:cb00:7109')).toBe('203.0.113.9');
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
