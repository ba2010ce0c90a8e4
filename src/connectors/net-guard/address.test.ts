import { describe, expect, it } from "vitest";
import { assertPublicAddress, forbiddenReason, isForbiddenAddress, parseLegacyIPv4 } from "./address.js";

describe("isForbiddenAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private network"],
    ["172.16.0.1", "private network"],
    ["172.31.255.255", "private network"],
    ["192.168.1.1", "private network"],
    ["fc00::1", "unique local (private network)"],
    ["fdff:1234::5", "unique local (private network)"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["169.254.169.254", "cloud metadata service"],
    ["fd00:ec2::254", "cloud metadata service"],
    ["0.0.0.0", "unspecified or 'this network'"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["255.255.255.255", "reserved or broadcast"],
  ])("rejects %s as %s", (address, reason) => {
    expect(forbiddenReason(address)).toBe(reason);
  });

  it.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::FFFF:10.0.0.1", "private network"],
    ["::ffff:169.254.169.254", "cloud metadata service"],
    ["::ffff:0:0", "unspecified or 'this network'"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "cloud metadata service"],
    ["2002:c0a8:0101::1", "private network"],
  ])("rejects IPv4 %s embedded in IPv6", (address, reason) => {
    expect(forbiddenReason(address)).toMatch(new RegExp(`^${reason.replace(/[()]/g, "\\$&")} \\(IPv4 `));
  });

  it.each(["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "017700000001", "0"])(
    "rejects legacy IPv4 spelling %s",
    (address) => {
      expect(isForbiddenAddress(address)).toBe(true);
    },
  );

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111", "2a00:1450::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "accepts public address %s",
    (address) => {
      expect(forbiddenReason(address)).toBeUndefined();
    },
  );

  it.each(["", "example.com", "1.2.3.4.5", "256.1.1.1.1", "::g"])("rejects non-address %j", (text) => {
    expect(isForbiddenAddress(text)).toBe(true);
  });
});

describe("parseLegacyIPv4", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["10.0x10.1", "10.16.0.1"],
    ["8.8.8.8", "8.8.8.8"],
  ])("reads %s as %s", (text, dotted) => {
    expect(parseLegacyIPv4(text)).toBe(dotted);
  });

  it.each(["256.0.0.1", "1.2.3.256", "4294967296", "08.1.1.1", "a.b.c.d", "1..2"])("rejects %s", (text) => {
    expect(parseLegacyIPv4(text)).toBeUndefined();
  });
});

describe("assertPublicAddress", () => {
  it("throws naming host, address and range", () => {
    expect(() => {
      assertPublicAddress("169.254.169.254", "feeds.example.com");
    }).toThrow("blocked request to feeds.example.com: address 169.254.169.254 is forbidden (cloud metadata service)");
  });

  it("returns for a public address", () => {
    expect(() => {
      assertPublicAddress("93.184.215.14");
    }).not.toThrow();
  });
});
