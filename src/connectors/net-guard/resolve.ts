import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { WorklensError } from "../../domain/errors.js";
import { assertPublicAddress, forbiddenReason } from "./address.js";

/** One resolved address, as `dns.promises.lookup` returns it with `all: true`. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injected so tests never use real DNS. */
export type LookupAll = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface ResolveOptions {
  lookup?: LookupAll | undefined;
  /** Also accept loopback (127.0.0.0/8, ::1). Only tests that talk to their own server set this. */
  allowLoopback?: boolean | undefined;
}

function isLoopback(address: string): boolean {
  const reason = forbiddenReason(address);
  return reason === "loopback" || reason?.startsWith("loopback (") === true;
}

function check(address: string, hostname: string, allowLoopback: boolean): void {
  if (allowLoopback && isLoopback(address)) return;
  assertPublicAddress(address, hostname);
}

/**
 * Resolves a host name and rejects when any of its addresses is forbidden, so a host
 * with one public and one internal address is rejected too. An IP literal is checked
 * without a lookup. Returns the checked addresses.
 */
export async function resolveAndCheck(hostname: string, options: ResolveOptions = {}): Promise<readonly ResolvedAddress[]> {
  const allowLoopback = options.allowLoopback ?? false;
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;

  const family = isIP(bare);
  if (family !== 0) {
    check(bare, hostname, allowLoopback);
    return [{ address: bare, family }];
  }

  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await (options.lookup ?? systemLookup)(bare);
  } catch (error) {
    throw new WorklensError("INVALID_INPUT", `could not resolve host ${hostname}`, "Check the host name in the URL.", { cause: error });
  }
  if (addresses.length === 0) {
    throw new WorklensError("INVALID_INPUT", `host ${hostname} resolved to no addresses`, "Check the host name in the URL.");
  }

  for (const { address } of addresses) check(address, hostname, allowLoopback);
  return addresses;
}
