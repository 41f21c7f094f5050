import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address that one party controls, as a rate-limit
 * key. An IPv4 address is one party; so is an IPv4 address seen through an
 * IPv6 socket (`::ffff:203.0.113.9`). An IPv6 host usually holds a whole
 * /64 (SLAAC, privacy addresses), so limiting per /128 would let it rotate
 * addresses for free: IPv6 is keyed by its /64 prefix.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1] !== undefined && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  const zoneless = ip.replace(/%.*$/, '');
  if (isIPv6(zoneless)) return `${expandIPv6(zoneless).slice(0, 4).join(':')}::/64`;
  // Not an address (a proxy sent something odd): still one key per value.
  return ip;
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
