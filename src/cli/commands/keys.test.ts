import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../../store/store.js";
import { authenticateKey } from "../../server/auth/api-keys.js";
import { runCli } from "../program.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("worklens keys", () => {
  let folder: string;
  let storeFile: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-keys-"));
    storeFile = join(folder, "store.sqlite");
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    const code = await runCli({
      argv: ["--store", storeFile, ...args],
      env: {},
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTty: false,
    });
    return { code, out, err };
  }

  it("creates, lists and revokes a key", async () => {
    const created = await run("keys", "create", "--person", "Dev@Example.com");
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.err).toContain("shown only now");

    const listed = await run("keys", "list", "--json");
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain(key);
    const keys = JSON.parse(listed.out) as { id: number; externalId: string; prefix: string; revokedAt: number | null }[];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.externalId).toBe("dev@example.com");
    expect(keys[0]?.prefix).toBe(key.slice(0, 8));

    const store = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      expect(await authenticateKey(store, key, Date.now(), undefined)).toMatchObject({ kind: "person", identity: { externalId: "dev@example.com" } });
    } finally {
      await store.close();
    }

    const revoked = await run("keys", "revoke", String(keys[0]?.id));
    expect(revoked.code).toBe(0);
    const reopened = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      expect(await authenticateKey(reopened, key, Date.now(), undefined)).toBeUndefined();
    } finally {
      await reopened.close();
    }
  });

  it("rejects a bad person and an unknown id", async () => {
    const bad = await run("keys", "create", "--person", "nobody");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("expected an e-mail address");

    await run("keys", "create", "--person", "dev@example.com");
    const unknown = await run("keys", "revoke", "42");
    expect(unknown.code).toBe(4);
    expect(unknown.err).toContain("API key 42 not found");
  });
});
