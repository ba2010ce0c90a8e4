import { BlockList, isIP } from "node:net";
import { WorklensError } from "../../domain/errors.js";

/** One forbidden range and why outbound requests must not reach it. */
interface ForbiddenRange {
  network: string;
  prefix: number;
  reason: string;
}

// Special-purpose ranges that are not public unicast hosts. The metadata addresses
// sit inside wider ranges but come first so errors name them.
const IPV4_RANGES: readonly ForbiddenRange[] = [
  { network: "169.254.169.254", prefix: 32, reason: "cloud metadata service" },
  { network: "0.0.0.0", prefix: 8, reason: "unspecified or 'this network'" },
  { network: "10.0.0.0", prefix: 8, reason: "private network" },
  { network: "100.64.0.0", prefix: 10, reason: "carrier-grade NAT" },
  { network: "127.0.0.0", prefix: 8, reason: "loopback" },
  { network: "169.254.0.0", prefix: 16, reason: "link-local" },
  { network: "172.16.0.0", prefix: 12, reason: "private network" },
  { network: "192.0.0.0", prefix: 24, reason: "IETF protocol assignments" },
  { network: "192.0.2.0", prefix: 24, reason: "documentation" },
  { network: "192.168.0.0", prefix: 16, reason: "private network" },
  { network: "198.18.0.0", prefix: 15, reason: "benchmarking" },
  { network: "198.51.100.0", prefix: 24, reason: "documentation" },
  { network: "203.0.113.0", prefix: 24, reason: "documentation" },
  { network: "224.0.0.0", prefix: 4, reason: "multicast" },
  { network: "240.0.0.0", prefix: 4, reason: "reserved or broadcast" },
];

const IPV6_RANGES: readonly ForbiddenRange[] = [
  { network: "fd00:ec2::254", prefix: 128, reason: "cloud metadata service" },
  { network: "::", prefix: 128, reason: "unspecified" },
  { network: "::1", prefix: 128, reason: "loopback" },
  { network: "100::", prefix: 64, reason: "discard-only" },
  { network: "2001:db8::", prefix: 32, reason: "documentation" },
  { network: "fc00::", prefix: 7, reason: "unique local (private network)" },
  { network: "fe80::", prefix: 10, reason: "link-local" },
  { network: "fec0::", prefix: 10, reason: "site-local (deprecated private network)" },
  { network: "ff00::", prefix: 8, reason: "multicast" },
];

function compile(ranges: readonly ForbiddenRange[], family: "ipv4" | "ipv6"): { list: BlockList; reason: string }[] {
  return ranges.map((range) => {
    const list = new BlockList();
    list.addSubnet(range.network, range.prefix, family);
    return { list, reason: range.reason };
  });
}

const IPV4_LISTS = compile(IPV4_RANGES, "ipv4");
const IPV6_LISTS = compile(IPV6_RANGES, "ipv6");

/**
 * Parses the IPv4 spellings that inet_aton accepts besides dotted decimal: one to four
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling the
 * remaining bytes ("127.1", "0x7f000001", "2130706433"). Returns dotted decimal, or
 * undefined when the text is not such an address.
 */
export function parseLegacyIPv4(text: string): string | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;

  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = parseInt(part, 10);
    else return undefined;
    values.push(value);
  }

  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255)) return undefined;
  const lastBytes = 4 - values.length;
  if (last >= 256 ** lastBytes) return undefined;

  const bytes = [...values];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes.join(".");
}

/** Expands an IPv6 address (without zone id) to its 16 bytes, or undefined when it is not one. */
function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;

  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = dotted[1].split(".").map(Number);
    const tail = `${((v4[0] ?? 0) * 256 + (v4[1] ?? 0)).toString(16)}:${((v4[2] ?? 0) * 256 + (v4[3] ?? 0)).toString(16)}`;
    text = text.slice(0, -dotted[1].length) + tail;
  }

  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill("0"), ...tailGroups];

  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [Math.floor(value / 256), value % 256];
  });
}

/**
 * Returns the IPv4 address that an IPv6 address carries in its last 32 bits when its
 * prefix makes it reach that IPv4 host: IPv4-mapped (::ffff:0:0/96), IPv4-compatible
 * (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16, which carries it in bytes 2 to 5).
 */
function embeddedIPv4(bytes: readonly number[]): string | undefined {
  const zeros = (from: number, to: number): boolean => bytes.slice(from, to).every((byte) => byte === 0);
  const lastFour = bytes.slice(12, 16).join(".");

  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return lastFour;
  if (zeros(0, 12)) return lastFour;
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return lastFour;
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6).join(".");
  return undefined;
}

function ipv4Reason(address: string): string | undefined {
  return IPV4_LISTS.find((entry) => entry.list.check(address, "ipv4"))?.reason;
}

/**
 * Returns why an IP address must not be contacted, or undefined when it is a public
 * unicast address. Text that is neither an IP address nor a legacy IPv4 spelling
 * returns "not an IP address", so callers fail closed.
 */
export function forbiddenReason(address: string): string | undefined {
  const withoutZone = address.split("%")[0] ?? address;
  const bare = withoutZone.startsWith("[") && withoutZone.endsWith("]") ? withoutZone.slice(1, -1) : withoutZone;

  if (isIP(bare) === 4) return ipv4Reason(bare);

  const bytes = ipv6Bytes(bare);
  if (bytes === undefined) {
    const legacy = parseLegacyIPv4(bare);
    return legacy === undefined ? "not an IP address" : ipv4Reason(legacy);
  }

  const direct = IPV6_LISTS.find((entry) => entry.list.check(bare, "ipv6"))?.reason;
  if (direct !== undefined) return direct;

  // "::" and "::1" also match the IPv4-compatible prefix, but the list above caught them.
  const embedded = embeddedIPv4(bytes);
  if (embedded === undefined) return undefined;
  const reason = ipv4Reason(embedded);
  return reason === undefined ? undefined : `${reason} (IPv4 ${embedded} inside IPv6)`;
}

/** True when an outbound request must not reach this IP address. */
export function isForbiddenAddress(address: string): boolean {
  return forbiddenReason(address) !== undefined;
}

/** Throws a WorklensError naming the range when the address is not a public unicast address. */
export function assertPublicAddress(address: string, host: string = address): void {
  const reason = forbiddenReason(address);
  if (reason === undefined) return;
  throw new WorklensError(
    "INVALID_INPUT",
    `blocked request to ${host}: address ${address} is forbidden (${reason})`,
    "Use a URL whose host resolves only to public addresses; internal and metadata addresses are blocked to prevent server-side request forgery.",
  );
}
