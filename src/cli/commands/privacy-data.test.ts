import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PERSON_A, seedTwoPeople } from "../../governance/test-support/two-people.js";
import { Store } from "../../store/store.js";
import { runCli } from "../program.js";

describe("worklens privacy export, delete, purge and retention", () => {
  let folder: string;
  let file: string;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-privacy-cli-"));
    file = join(folder, "store.sqlite");
    const store = await Store.open({ kind: "sqlite", file });
    await seedTwoPeople(store);
    await store.close();
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runCli({ argv: ["--store", file, ...args], env: {}, out: (text) => (out += text), err: (text) => (err += text), stderrIsTty: false });
    return { code, out, err };
  }

  it("shows and sets retention", async () => {
    const shown = await run("privacy", "retention", "show", "--json");
    expect(shown.code, shown.err).toBe(0);
    expect(JSON.parse(shown.out)).toEqual({ raw_events: 400, derived: 400, suggestions: 730, worklogs: null, audit: 2557 });

    expect((await run("privacy", "retention", "set", "raw_events", "90")).out).toBe("raw_events: 90 days\n");
    expect((await run("privacy", "retention", "set", "audit", "keep")).out).toBe("audit: kept forever\n");
    const table = await run("privacy", "retention", "show");
    expect(table.out).toMatch(/raw_events\s+90/);
    expect(table.out).toMatch(/audit\s+keep/);

    const badClass = await run("privacy", "retention", "set", "logs", "30");
    expect(badClass.code).toBe(2);
    expect(badClass.err).toMatch(/unknown data class "logs"/);
    const badDays = await run("privacy", "retention", "set", "derived", "0");
    expect(badDays.code).toBe(2);
    expect(badDays.err).toMatch(/invalid retention "0"/);
  });

  it("purges with a dry run as JSON", async () => {
    const dry = await run("privacy", "purge", "--dry-run", "--json");
    expect(dry.code, dry.err).toBe(0);
    const report = JSON.parse(dry.out) as { dryRun: boolean; classes: { dataClass: string; removed: Record<string, number> }[] };
    expect(report.dryRun).toBe(true);
    expect(report.classes.map((c) => c.dataClass)).toEqual(["raw_events", "derived", "suggestions", "worklogs", "audit"]);

    const real = await run("privacy", "purge");
    expect(real.code, real.err).toBe(0);
    expect(real.out).toMatch(/^purged \d+ rows at /);
  });

  it("delete needs --yes", async () => {
    const refused = await run("privacy", "delete", PERSON_A.email);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/needs --yes/);
    const listed = await run("people", "list", "--json");
    expect(listed.out).toContain(PERSON_A.email);
  });

  it("exports to stdout and to a private file", async () => {
    const printed = await run("privacy", "export", PERSON_A.email);
    expect(printed.code, printed.err).toBe(0);
    expect((JSON.parse(printed.out) as { person: { email: string } }).person.email).toBe(PERSON_A.email);

    const out = join(folder, "a.json");
    const written = await run("privacy", "export", PERSON_A.email, "--out", out);
    expect(written.code, written.err).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const missing = await run("privacy", "export", "nobody@example.com");
    expect(missing.code).toBe(4);
  });
});
