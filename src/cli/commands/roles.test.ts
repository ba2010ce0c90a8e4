import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../../store/store.js";
import { runCli } from "../program.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("worklens roles", () => {
  let folder: string;
  let storeFile: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-roles-"));
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

  it("grants, lists and revokes with audit entries", async () => {
    expect((await run("keys", "create", "--person", "dev@example.com")).code).toBe(0);

    const granted = await run("roles", "grant", "1", "manager");
    expect(granted).toEqual({ code: 0, out: "person 1 is now manager\n", err: "" });
    expect((await run("roles", "grant", "1", "manager")).out).toBe("person 1 already was manager\n");

    const listed = await run("roles", "list", "--json");
    expect(JSON.parse(listed.out)).toEqual([{ personId: 1, roles: ["manager"] }]);

    expect((await run("roles", "revoke", "1", "manager")).out).toBe("person 1 is no longer manager\n");
    expect((await run("roles", "revoke", "1", "manager")).out).toBe("person 1 was not manager\n");

    const store = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      const entries = await store.audit.list();
      expect(entries.map((entry) => [entry.actor, entry.action, entry.subject, entry.details])).toEqual([
        ["cli", "keys.create", "person:1", { keyId: 1 }],
        ["cli", "role.change", "person:1", { grant: "manager" }],
        ["cli", "role.change", "person:1", { revoke: "manager" }],
      ]);
    } finally {
      await store.close();
    }
  });

  it("rejects an unknown role and person", async () => {
    expect((await run("keys", "create", "--person", "dev@example.com")).code).toBe(0);
    const role = await run("roles", "grant", "1", "member");
    expect(role.code).toBe(2);
    expect(role.err).toContain('invalid role "member"');
    const person = await run("roles", "grant", "7", "auditor");
    expect(person.code).toBe(4);
    expect(person.err).toContain("person 7 not found");
    const id = await run("roles", "revoke", "x", "auditor");
    expect(id.code).toBe(2);
    expect(id.err).toContain('invalid person id "x"');
  });
});
