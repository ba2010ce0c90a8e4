import { describe, expect, it } from "vitest";
import type { LookupAll } from "./resolve.js";
import { resolveAndCheck } from "./resolve.js";

function fakeLookup(table: Record<string, string[]>): LookupAll {
  return (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) return Promise.reject(new Error(`ENOTFOUND ${hostname}`));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
  };
}

const lookup = fakeLookup({
  "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "mixed.example": ["93.184.215.14", "10.0.0.7"],
  "metadata.example": ["fd00:ec2::254"],
  "mapped.example": ["::ffff:127.0.0.1"],
  "loopback.example": ["127.0.0.1", "::1"],
  "empty.example": [],
});

describe("resolveAndCheck", () => {
  it("returns every address of a public host", async () => {
    const addresses = await resolveAndCheck("public.example", { lookup });
    expect(addresses.map((entry) => entry.address)).toEqual(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
  });

  it("rejects when any address is private", async () => {
    await expect(resolveAndCheck("mixed.example", { lookup })).rejects.toThrow("address 10.0.0.7 is forbidden (private network)");
  });

  it("rejects metadata and mapped loopback", async () => {
    await expect(resolveAndCheck("metadata.example", { lookup })).rejects.toThrow("cloud metadata service");
    await expect(resolveAndCheck("mapped.example", { lookup })).rejects.toThrow("loopback");
  });

  it("checks IP literals without lookup", async () => {
    const neverCalled: LookupAll = () => Promise.reject(new Error("lookup must not run for an IP literal"));
    await expect(resolveAndCheck("127.0.0.1", { lookup: neverCalled })).rejects.toThrow("loopback");
    await expect(resolveAndCheck("[::1]", { lookup: neverCalled })).rejects.toThrow("loopback");
    await expect(resolveAndCheck("8.8.8.8", { lookup: neverCalled })).resolves.toEqual([{ address: "8.8.8.8", family: 4 }]);
  });

  it("allows loopback only with the test flag", async () => {
    await expect(resolveAndCheck("loopback.example", { lookup })).rejects.toThrow("loopback");
    await expect(resolveAndCheck("loopback.example", { lookup, allowLoopback: true })).resolves.toHaveLength(2);
    await expect(resolveAndCheck("mixed.example", { lookup, allowLoopback: true })).rejects.toThrow("private network");
    await expect(resolveAndCheck("mapped.example", { lookup, allowLoopback: true })).resolves.toHaveLength(1);
  });

  it("rejects unresolvable and empty hosts", async () => {
    await expect(resolveAndCheck("missing.example", { lookup })).rejects.toThrow("could not resolve host missing.example");
    await expect(resolveAndCheck("empty.example", { lookup })).rejects.toThrow("resolved to no addresses");
  });
});
