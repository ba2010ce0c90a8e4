import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

const RULES = [
  { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
  { matchKind: "label", matchValue: "maintenance", category: "OpEx" },
];

describe("worklens categories", () => {
  let folder: string;
  let storeFile: string;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-categories-"));
    storeFile = join(folder, "store.sqlite");
    const store = await Store.open({ kind: "sqlite", file: storeFile });
    await store.close();
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    const code = await runCli({ argv: ["--store", storeFile, ...args], env: {}, out: (text) => (out += text), err: (text) => (err += text), stderrIsTty: false });
    return { code, out, err };
  }

  function write(name: string, content: string): string {
    const file = join(folder, name);
    writeFileSync(file, content);
    return file;
  }

  it("sets and lists rules", async () => {
    expect((await run("categories", "list")).out).toBe("no category rules: every issue counts as Uncategorized\n");

    const set = await run("categories", "set", write("rules.json", JSON.stringify(RULES)));
    expect(set).toEqual({ code: 0, out: "stored 2 category rules; categories: CapEx, OpEx, Uncategorized\n", err: "" });

    const listed = await run("categories", "list");
    expect(listed.out.split("\n")).toEqual([
      "position  match kind  match value  category",
      "--------  ----------  -----------  --------",
      "1         project     PROJ         CapEx",
      "2         label       maintenance  OpEx",
      "",
    ]);
    // The JSON output is the file format of `categories set`.
    expect(JSON.parse((await run("categories", "list", "--json")).out)).toEqual(RULES);

    const store = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      const entries = await store.audit.list({ action: "categories.change" });
      expect(entries.map((e) => [e.actor, e.details])).toEqual([["cli", { rules: 2, categories: 2 }]]);
    } finally {
      await store.close();
    }
  });

  it("rejects a bad rules file", async () => {
    const invalid = write("invalid.json", JSON.stringify([...RULES, { matchKind: "project", matchValue: "proj", category: "OpEx" }]));
    const repeated = await run("categories", "set", invalid);
    expect(repeated.code).toBe(3);
    expect(repeated.err).toContain(`error: ${invalid}: invalid category rules: rule 3 repeats the project match of rule 1; only the first matching rule counts, so remove one of them\n`);

    const notJson = write("broken.json", "[{");
    const broken = await run("categories", "set", notJson);
    expect(broken.code).toBe(3);
    expect(broken.err).toContain(`error: ${notJson}: is not valid JSON`);
    expect(broken.err).toContain('hint: the file is a JSON list such as [{"matchKind": "project"');

    const missing = await run("categories", "set", join(folder, "missing.json"));
    expect(missing.code).toBe(4);

    // Control: nothing was stored by the rejected files.
    expect((await run("categories", "list", "--json")).out).toBe("[]\n");
  });
});
