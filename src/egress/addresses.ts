import { isIP } from 'node:net';

/**
 * Classes of IP addresses an outbound call might reach. Everything that is not
 * `public` is refused unless the policy allows that class (or a CIDR around the
 * address) explicitly.
 */
export const ADDRESS_CLASSES = [
  'public',
  'loopback',
  'private',
  'link-local',
  'cgnat',
  'unspecified',
  'ipv4-mapped',
  'multicast',
  'broadcast',
  'documentation',
  'reserved',
  'nat64',
  '6to4',
  'teredo',
] as const;

export type AddressClass = (typeof ADDRESS_CLASSES)[number];

export function isAddressClass(value: string): value is AddressClass {
  return (ADDRESS_CLASSES as readonly string[]).includes(value);
}

export interface EgressPolicy {
  /** Non-public classes that may be reached; `public` is always allowed. */
  allow: ReadonlySet<AddressClass>;
  /** Networks that may be reached whatever their class, e.g. one provider's LAN. */
  allowCidrs?: readonly string[];
}

export interface Verdict {
  allowed: boolean;
  /** Every class the address belongs to, e.g. `['ipv4-mapped', 'loopback']`. */
  classes: AddressClass[];
}

interface Ip {
  family: 4 | 6;
  value: bigint;
}

interface Cidr extends Ip {
  bits: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

// First match wins, so a narrower range must precede a wider one it sits in.
const V4_RANGES = table([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const V6_RANGES = table([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'ipv4-mapped'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible form
  ['64:ff9b::/96', 'nat64'],
  ['64:ff9b:1::/48', 'nat64'],
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'teredo'],
  ['2001:2::/48', 'reserved'], // benchmarking
  ['2001:10::/28', 'reserved'], // deprecated ORCHID
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
  // Only 2000::/3 is allocated as global unicast; anything else left is unassigned.
  ['2000::/3', 'public'],
]);

// Only the well-known NAT64 prefix has a fixed place for the IPv4 address (RFC 6052).
const NAT64_WELL_KNOWN = parseCidr('64:ff9b::/96');

/** The classes of an IP literal (v4 or v6, an IPv6 zone suffix is ignored). */
export function classifyAddress(address: string): AddressClass[] {
  const ip = parseIp(address);
  if (ip === undefined) throw new TypeError(`not an IP address: ${address}`);
  return classify(ip);
}

/** Compiles a policy once (CIDRs are parsed here, so a bad one fails at start). */
export function addressGuard(policy: EgressPolicy): (address: string) => Verdict {
  const cidrs = (policy.allowCidrs ?? []).map(parseCidr);
  return (address) => {
    const ip = parseIp(address);
    if (ip === undefined) return { allowed: false, classes: ['reserved'] };
    const classes = classify(ip);
    const allowed =
      cidrs.some((cidr) => contains(cidr, ip)) ||
      classes.every((cls) => cls === 'public' || policy.allow.has(cls));
    return { allowed, classes };
  };
}

/** Builds a policy from configuration strings such as `RABTA_EGRESS_ALLOW`. */
export function egressPolicy(allow: readonly string[], allowCidrs: readonly string[] = []): EgressPolicy {
  for (const cls of allow) {
    if (!isAddressClass(cls)) throw new TypeError(`unknown address class "${cls}" (one of ${ADDRESS_CLASSES.join(', ')})`);
  }
  allowCidrs.forEach(parseCidr);
  return { allow: new Set(allow as readonly AddressClass[]), allowCidrs };
}

function classify(ip: Ip): AddressClass[] {
  const ranges = ip.family === 4 ? V4_RANGES : V6_RANGES;
  const found = ranges.find(([cidr]) => contains(cidr, ip));
  const cls: AddressClass = found?.[1] ?? (ip.family === 4 ? 'public' : 'reserved');
  // Forms that carry an IPv4 address are refused as such AND judged by what they carry,
  // so allowing e.g. nat64 never opens a path to 127.0.0.1 behind the translator.
  const low32 = ip.value & 0xffff_ffffn;
  if (cls === 'ipv4-mapped' || (cls === 'nat64' && contains(NAT64_WELL_KNOWN, ip))) {
    return [cls, ...without(classify({ family: 4, value: low32 }))];
  }
  if (cls === '6to4') {
    return [cls, ...without(classify({ family: 4, value: (ip.value >> 80n) & 0xffff_ffffn }))];
  }
  return [cls];
}

function without(classes: AddressClass[]): AddressClass[] {
  return classes.filter((cls) => cls !== 'public');
}

function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt(WIDTH[cidr.family] - cidr.bits);
  return ip.value >> shift === cidr.value >> shift;
}

function table(rows: [string, AddressClass][]): [Cidr, AddressClass][] {
  return rows.map(([cidr, cls]) => [parseCidr(cidr), cls]);
}

function parseCidr(text: string): Cidr {
  const [address = '', length, extra] = text.split('/');
  const ip = parseIp(address);
  const bits = length === undefined ? (ip ? WIDTH[ip.family] : NaN) : Number(length);
  if (ip === undefined || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > WIDTH[ip.family] || length === '') {
    throw new TypeError(`not a CIDR: ${text}`);
  }
  return { ...ip, bits };
}

function parseIp(text: string): Ip | undefined {
  const address = text.split('%')[0] ?? '';
  const family = isIP(address);
  if (family === 4) return { family, value: parseV4(address) };
  if (family === 6) return { family, value: parseV6(address) };
  return undefined;
}

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

// `text` has been validated by isIP, so only the shapes IPv6 allows reach here.
function parseV6(text: string): bigint {
  let hex = text;
  if (hex.includes('.')) {
    const cut = hex.lastIndexOf(':') + 1;
    const v4 = parseV4(hex.slice(cut));
    hex = `${hex.slice(0, cut)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = hex.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
