import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AUDIT_GENESIS_HASH, auditHashesEqual, auditKeyId, canonicalDetailsJson, encodeAuditEntry, hashAuditEntry, type AuditChainFields } from "./audit-chain.js";

const KEY = Buffer.alloc(32, 7);
const ENTRY: AuditChainFields = { seq: 4, at: 1_741_597_200_000, actor: "person:3", action: "read.suggestions", subject: "person:3", details: '{"days":5}', prevHash: AUDIT_GENESIS_HASH };

describe("audit chain hash", () => {
  it("is HMAC-SHA-256 over the encoding", () => {
    const expected = createHmac("sha256", KEY).update(encodeAuditEntry(ENTRY)).digest("hex");
    expect(hashAuditEntry(KEY, ENTRY)).toBe(expected);
    expect(hashAuditEntry(KEY, ENTRY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with every field", () => {
    const base = hashAuditEntry(KEY, ENTRY);
    const variants: Partial<AuditChainFields>[] = [{ seq: 5 }, { at: ENTRY.at + 1 }, { actor: "person:4" }, { action: "read.people" }, { subject: null }, { details: '{"days":6}' }, { prevHash: "1".repeat(64) }];
    for (const variant of variants) expect(hashAuditEntry(KEY, { ...ENTRY, ...variant }), JSON.stringify(variant)).not.toBe(base);
    expect(hashAuditEntry(Buffer.alloc(32, 8), ENTRY)).not.toBe(base);
  });

  it("separates adjacent fields", () => {
    // Moving characters from one field to the next must not give the same bytes.
    const shifted = { ...ENTRY, actor: "person:3read", action: ".suggestions" };
    const original = { ...ENTRY, actor: "person:3", action: "read.suggestions" };
    expect(encodeAuditEntry(shifted).equals(encodeAuditEntry(original))).toBe(false);
    expect(encodeAuditEntry({ ...ENTRY, subject: null }).equals(encodeAuditEntry({ ...ENTRY, subject: "" }))).toBe(false);
  });

  it("rejects unsafe integers", () => {
    expect(() => encodeAuditEntry({ ...ENTRY, seq: 2 ** 53 })).toThrow(/seq must be a safe integer/);
    expect(() => encodeAuditEntry({ ...ENTRY, at: 1.5 })).toThrow(/at must be a safe integer/);
  });
});

describe("canonicalDetailsJson", () => {
  it("sorts keys at every level", () => {
    expect(canonicalDetailsJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("drops undefined values", () => {
    expect(canonicalDetailsJson({ a: undefined, b: true })).toBe('{"b":true}');
  });

  it("rejects values JSON cannot carry", () => {
    expect(() => canonicalDetailsJson({ n: Number.NaN })).toThrow(/details.n is NaN/);
    expect(() => canonicalDetailsJson({ big: 1n })).toThrow(/details.big is a bigint/);
    expect(() => canonicalDetailsJson({ list: [new Map()] })).toThrow(/details.list\[0\] is not a plain object/);
  });
});

describe("auditKeyId and auditHashesEqual", () => {
  it("identify keys and compare hashes", () => {
    expect(auditKeyId(KEY)).toMatch(/^[0-9a-f]{16}$/);
    expect(auditKeyId(KEY)).not.toBe(auditKeyId(Buffer.alloc(32, 8)));
    expect(auditHashesEqual("ab", "ab")).toBe(true);
    expect(auditHashesEqual("ab", "ac")).toBe(false);
    expect(auditHashesEqual("ab", "abc")).toBe(false);
  });
});
