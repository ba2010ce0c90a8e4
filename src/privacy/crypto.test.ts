import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DecryptionError, formatSealed, keyFingerprint, openText, parseSealed, sealText, type TextPlace } from "./crypto.js";
import { EnvKeyProvider, FileKeyProvider, generateMasterKey, StaticKeyProvider } from "./key-provider.js";
import { keyedDigest } from "./pseudonym.js";

const place: TextPlace = { table: "activity_texts", column: "title", row: 42 };
const scope = "tenant:acme";

function open(key: Buffer, stored: string, where: TextPlace = place, tenant: string = scope): string {
  const sealed = parseSealed(stored);
  if (sealed === undefined) throw new Error("not sealed");
  return openText(key, tenant, where, sealed);
}

describe("AES-256-GCM text encryption", () => {
  const key = randomBytes(32);

  it("round trips text", () => {
    for (const text of ["", "Fix NUTCH-123 crawl loop", "Zoë Ødegård <zoe@example.org> 😀", "x".repeat(100_000)]) {
      const stored = sealText(key, "t1", scope, place, text);
      expect(stored.startsWith("wl1.t1.")).toBe(true);
      expect(open(key, stored)).toBe(text);
    }
  });

  it("uses a fresh IV per value", () => {
    const first = sealText(key, "t1", scope, place, "same text");
    const second = sealText(key, "t1", scope, place, "same text");
    expect(first).not.toBe(second);
  });

  it("detects every single-byte flip", () => {
    const stored = sealText(key, "t1", scope, place, "the quick brown fox");
    const sealed = parseSealed(stored);
    if (sealed === undefined) throw new Error("not sealed");
    let detected = 0;
    for (let index = 0; index < sealed.payload.length; index++) {
      const tampered = Buffer.from(sealed.payload);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      expect(() => open(key, formatSealed("t1", tampered))).toThrow(DecryptionError);
      detected++;
    }
    // 12 bytes of IV, 19 of text, 16 of tag: every one of them is covered.
    expect(detected).toBe(12 + 19 + 16);
  });

  it("detects a truncated value", () => {
    const sealed = parseSealed(sealText(key, "t1", scope, place, "abc"));
    if (sealed === undefined) throw new Error("not sealed");
    expect(() => open(key, formatSealed("t1", sealed.payload.subarray(0, 20)))).toThrow(DecryptionError);
  });

  it("detects a row, column or tenant swap", () => {
    const stored = sealText(key, "t1", scope, place, "secret title");
    expect(() => open(key, stored, { ...place, row: 43 })).toThrow(DecryptionError);
    expect(() => open(key, stored, { ...place, column: "body" })).toThrow(DecryptionError);
    expect(() => open(key, stored, { ...place, table: "issue_texts" })).toThrow(DecryptionError);
    expect(() => open(key, stored, place, "tenant:other")).toThrow(DecryptionError);
    // Control: the same value in its own place decrypts.
    expect(open(key, stored)).toBe("secret title");
  });

  it("keeps place parts apart", () => {
    // "ab" + "c" and "a" + "bc" would meet if the parts were only concatenated.
    const stored = sealText(key, "t1", scope, { table: "ab", column: "c", row: 1 }, "x");
    expect(() => open(key, stored, { table: "a", column: "bc", row: 1 })).toThrow(DecryptionError);
  });

  it("fails with a wrong key", () => {
    const stored = sealText(key, "t1", scope, place, "text");
    expect(() => open(randomBytes(32), stored)).toThrow(DecryptionError);
  });

  it("parses only the sealed format", () => {
    expect(parseSealed("plain text")).toBeUndefined();
    expect(parseSealed("wl1.")).toBeUndefined();
    expect(parseSealed("wl1.t1.not base64!")).toBeUndefined();
    expect(parseSealed("wl1.p7.AAAA")?.keyRef).toBe("p7");
  });
});

describe("keyed lookups", () => {
  it("depend on key, field and value", () => {
    const key = randomBytes(32);
    const digest = keyedDigest(key, "email", "dev@example.org");
    expect(keyedDigest(key, "email", "dev@example.org")).toBe(digest);
    expect(keyedDigest(randomBytes(32), "email", "dev@example.org")).not.toBe(digest);
    expect(keyedDigest(key, "name", "dev@example.org")).not.toBe(digest);
    expect(keyedDigest(key, "e", "maildev@example.org")).not.toBe(keyedDigest(key, "em", "aildev@example.org"));
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("master key providers", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-keys-"));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("fingerprint names a key without revealing it", async () => {
    const key = randomBytes(32);
    const provider = new StaticKeyProvider(key);
    const current = await provider.current();
    expect(current.id).toBe(keyFingerprint(key));
    expect(current.id).toMatch(/^[0-9a-f]{16}$/);
    expect(key.toString("hex")).not.toContain(current.id);
    expect(JSON.stringify(provider)).not.toContain(key.toString("base64"));
  });

  it("file provider creates a 0600 file and reads earlier keys", async () => {
    const file = join(folder, "master.key");
    const created = FileKeyProvider.create(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = await created.current();

    const earlier = generateMasterKey();
    const rotated = generateMasterKey();
    writeFileSync(file, `# rotated\n${rotated}\n\n${readFileSync(file, "utf8").trim()}\n${earlier}\n`, { mode: 0o600 });
    const provider = new FileKeyProvider(file);
    expect((await provider.current()).key.toString("base64")).toBe(rotated);
    expect((await provider.find(first.id))?.equals(first.key)).toBe(true);
    expect(await provider.find("0000000000000000")).toBeUndefined();
    expect(provider.fingerprints()).toHaveLength(3);
  });

  it("file provider rejects a file others can read", () => {
    if (process.platform === "win32") return;
    const file = join(folder, "master.key");
    writeFileSync(file, `${generateMasterKey()}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(() => new FileKeyProvider(file)).toThrow(`master key file ${file} is readable by group or others`);
    chmodSync(file, 0o600);
    expect(() => new FileKeyProvider(file)).not.toThrow();
  });

  it("file provider rejects a bad line", () => {
    const file = join(folder, "master.key");
    writeFileSync(file, `${generateMasterKey()}\nc2hvcnQ=\n`, { mode: 0o600 });
    expect(() => new FileKeyProvider(file)).toThrow(`key 2 of master key file ${file} is not a base64-encoded 32-byte key`);
  });

  it("env provider reads current and previous keys", async () => {
    const current = generateMasterKey();
    const previous = [generateMasterKey(), generateMasterKey()];
    const provider = new EnvKeyProvider({ WORKLENS_MASTER_KEY: current, WORKLENS_MASTER_KEY_PREVIOUS: previous.join(",") });
    expect((await provider.current()).key.toString("base64")).toBe(current);
    for (const key of previous) expect((await provider.find(keyFingerprint(Buffer.from(key, "base64"))))?.toString("base64")).toBe(key);
    expect(() => new EnvKeyProvider({})).toThrow("WORKLENS_MASTER_KEY is not set");
    expect(() => new EnvKeyProvider({ WORKLENS_MASTER_KEY: "short" })).toThrow("WORKLENS_MASTER_KEY is not a base64-encoded 32-byte key");
  });
});
