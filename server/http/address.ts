// IP addresses and CIDR ranges (IPv4 and IPv6), for tenant allowlists and for finding the
// client behind trusted proxies. Every address is held as 16 bytes; an IPv4 address is the
// IPv4-mapped IPv6 address ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so "10.0.0.0/8" is the
// range ::ffff:10.0.0.0/104 and the one comparison below serves both families.

export interface IpAddress {
  readonly bytes: Uint8Array;
  /** True when the address is IPv4 (or IPv4-mapped IPv6, as Node reports IPv4 peers on a dual-stack socket). */
  readonly v4: boolean;
}

export interface Cidr {
  readonly network: Uint8Array;
  /** Prefix length in the 128-bit space (an IPv4 /24 is 120 here). */
  readonly bits: number;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isV4Mapped(bytes: Uint8Array): boolean {
  return V4_MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

/** Dotted quad, each part 0-255 without leading zeros (which inet_aton would read as octal). */
function parseV4Parts(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    values.push(value);
  }
  return values;
}

function parseV6Groups(text: string): number[] | null {
  let body = text;
  const tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits (::ffff:192.0.2.1, 64:ff9b::192.0.2.1).
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.')) {
    const v4 = parseV4Parts(body.slice(lastColon + 1));
    if (!v4 || lastColon < 0) return null;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    body = body.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::"; "a:b:c:d:e:f:1.2.3.4" leaves "a:...:f:", whose trailing colon is the separator.
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    // "::" stands for at least one group of zeros.
    if (given > 7) return null;
    return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  }
  return given === 8 ? [...head, ...tail] : null;
}

/** An address as written in a socket, a header or a setting; null when it is not one. */
export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return null;
  const v4 = parseV4Parts(trimmed);
  const bytes = new Uint8Array(16);
  if (v4) {
    bytes.set([...V4_MAPPED_PREFIX, ...v4]);
    return { bytes, v4: true };
  }
  if (!trimmed.includes(':')) return null;
  const groups = parseV6Groups(trimmed);
  if (!groups) return null;
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { bytes, v4: isV4Mapped(bytes) };
}

/** RFC 5952's canonical text: IPv4 dotted, IPv6 lower-case with the longest run of two or more zero groups as "::". */
export function formatIp(address: IpAddress): string {
  const b = address.bytes;
  if (address.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical form of an address, or null when the text is not one. Zone ids (fe80::1%eth0) are dropped. */
export function canonicalIp(text: string): string | null {
  const address = parseIp(text.replace(/%[\w.-]+$/, ''));
  return address ? formatIp(address) : null;
}

export type CidrProblem = 'not_an_address' | 'bad_prefix' | 'host_bits_set';

/**
 * "203.0.113.0/24", "2001:db8::/32", or a single address (a /32 or /128). A range whose
 * address has bits set beyond the prefix ("10.0.0.1/8") is refused rather than masked:
 * it is usually a typo for a single address, and masking would open the whole range.
 */
export function parseCidr(text: string): Cidr | CidrProblem {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return 'bad_prefix';
  const address = parseIp(addressText);
  if (!address || addressText.includes('%')) return 'not_an_address';
  const max = address.v4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > max) return 'bad_prefix';
    prefix = Number(prefixText);
  }
  const bits = address.v4 ? 96 + prefix : prefix;
  for (let bit = bits; bit < 128; bit++) {
    if (address.bytes[bit >> 3] & (0x80 >> (bit & 7))) return 'host_bits_set';
  }
  return { network: address.bytes, bits };
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  const whole = cidr.bits >> 3;
  for (let i = 0; i < whole; i++) if (cidr.network[i] !== address.bytes[i]) return false;
  const rest = cidr.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (cidr.network[whole] & mask) === (address.bytes[whole] & mask);
}

/** Parses a list that has been validated before (settings, environment); invalid entries match nothing. */
export function parseCidrList(texts: readonly string[]): Cidr[] {
  return texts.map(parseCidr).filter((c): c is Cidr => typeof c !== 'string');
}

export function addressAllowed(allowlist: readonly Cidr[], address: string | null): boolean {
  const parsed = address === null ? null : parseIp(address);
  return parsed !== null && allowlist.some((cidr) => cidrContains(cidr, parsed));
}

/** One entry of X-Forwarded-For without a port: "192.0.2.1:4711" and "[2001:db8::1]:443" occur in the wild. */
function forwardedEntry(entry: string): IpAddress | null {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return parseIp(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return parseIp(v4WithPort ? v4WithPort[1] : text);
}

/**
 * The client's address. The socket peer is the client unless it is a trusted proxy; then
 * X-Forwarded-For is read from the right (each proxy appends the address it saw), skipping
 * trusted proxies, and the first address that is not one is the client. Entries left of it
 * were written by the client itself and prove nothing. An unreadable entry makes the
 * address unknown (null) rather than falling back to a proxy's own address, which an
 * allowlist might admit.
 */
export function clientAddressBehindProxies(peer: string | null, forwardedFor: string | undefined, trusted: readonly Cidr[]): string | null {
  const peerAddress = peer === null ? null : parseIp(peer.replace(/%[\w.-]+$/, ''));
  if (!peerAddress) return null;
  const isTrusted = (a: IpAddress) => trusted.some((cidr) => cidrContains(cidr, a));
  if (!isTrusted(peerAddress) || forwardedFor === undefined || forwardedFor.trim() === '') return formatIp(peerAddress);
  const hops = forwardedFor.split(',');
  let leftmost = peerAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedEntry(hops[i]);
    if (!hop) return null;
    if (!isTrusted(hop)) return formatIp(hop);
    leftmost = hop;
  }
  // Every hop is one of our proxies: the request started inside.
  return formatIp(leftmost);
}
