import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address that one party controls, as a rate-limit
 * key. An IPv4 address is one party; so is an IPv4 address seen through an
 * IPv6 socket (`::ffff:203.0.113.9`). An IPv6 host usually holds a whole
 * /64 (SLAAC, privacy addresses), so limiting per /128 would let it rotate
 * addresses for free: IPv6 is keyed by its /64 prefix.
 *
 * Except where an IPv6 address stands for an IPv4 one (see embeddedIPv4):
 * behind a NAT64/SIIT translator every IPv4 client arrives from one /64,
 * which would put them all in one bucket; a 6to4 site holds 2^16 /64s for
 * its one IPv4 address, which would let it rotate through them. Those are
 * keyed by the IPv4 address they embed.
 */
export function addressKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  const zoneless = ip.replace(/%.*$/, '');
  if (!isIPv6(zoneless)) return ip; // not an address (a proxy sent something odd): one key per value
  const hextets = expandIPv6(zoneless);
  return embeddedIPv4(hextets) ?? `${hextets.slice(0, 4).join(':')}::/64`;
}

/**
 * The rate-limit key of an IPv6 address that carries an IPv4 client's
 * address, or undefined for a native one:
 *
 * - `::ffff:0:0/96`, IPv4-mapped (a dual-stack socket): the IPv4 address.
 * - `64:ff9b::/96`, the NAT64 well-known prefix (RFC 6052 §2.1): the IPv4
 *   address in the last 32 bits.
 * - `64:ff9b:1::/48`, for local-use translators (RFC 8215): the same when
 *   the translator uses `64:ff9b:1::/96`; under a longer prefix of its own
 *   the whole address, which RFC 6052 §2.2 makes one per IPv4 address
 *   whatever the layout (its suffix bits are zero).
 * - `2002::/16`, 6to4 (RFC 3056 §2): the IPv4 address of the site, bits 16-47.
 * - `2001::/32`, Teredo (RFC 4380 §4): the client's public IPv4 address,
 *   the last 32 bits inverted.
 */
export function embeddedIPv4(hextets: readonly string[]): string | undefined {
  const [h0, h1, h2, h3, h4, h5, h6, h7] = hextets.map((hextet) => Number.parseInt(hextet, 16)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zero = (...values: number[]) => values.every((value) => value === 0);
  if (zero(h0, h1, h2, h3, h4) && h5 === 0xffff) return ipv4(h6, h7);
  if (h0 === 0x64 && h1 === 0xff9b) {
    if (zero(h2, h3, h4, h5)) return ipv4(h6, h7);
    if (h2 === 1) return zero(h3, h4, h5) ? ipv4(h6, h7) : hextets.join(':');
  }
  if (h0 === 0x2002) return ipv4(h1, h2);
  if (h0 === 0x2001 && h1 === 0) return ipv4(h6 ^ 0xffff, h7 ^ 0xffff);
  return undefined;
}

/** The dotted IPv4 address of two hextets. */
function ipv4(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The eight hextets of a valid IPv6 address, lower case, without leading zeros. */
export function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) stands for the last two hextets.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail !== null) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((hextet) => Number.parseInt(hextet, 16).toString(16));
}
