import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store, type StoreConfig } from "../../store/store.js";
import { BACKENDS, TEST_MASTER_KEY, TEST_POSTGRES_URL, testKeyProvider } from "../../store/test-support/backends.js";
import { runCli } from "../program.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

const START = Date.UTC(2025, 2, 3, 9, 0, 0);

describe.each(BACKENDS)("worklens audit on %s", (backend) => {
  let folder: string;
  let config: StoreConfig;
  let store: Store;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-audit-cli-"));
    config =
      backend === "sqlite"
        ? { kind: "sqlite", file: join(folder, "store.sqlite") }
        : { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` };
    store = await Store.open(config, backend === "postgres" ? { keys: testKeyProvider() } : {});
  });
  afterEach(async () => {
    await store.wipeForTests();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    const location = config.kind === "sqlite" ? ["--store", config.file] : ["--postgres", config.connectionString, "--schema", config.schema ?? ""];
    const code = await runCli({
      argv: [...location, ...args],
      env: backend === "postgres" ? { WORKLENS_MASTER_KEY: TEST_MASTER_KEY } : {},
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTty: false,
    });
    return { code, out, err };
  }

  async function appendThree(): Promise<void> {
    await store.audit.append({ at: START, actor: "admin", action: "login" });
    await store.audit.append({ at: START + 60_000, actor: "person:4", action: "read.suggestions", subject: "person:4", details: { days: 7 } });
    await store.audit.append({ at: Date.UTC(2025, 2, 4, 8), actor: "cli", action: "privacy.export", subject: "person:4", details: { rows: 3 } });
  }

  async function dropTriggers(): Promise<void> {
    for (const trigger of ["audit_log_guarded_delete", "audit_log_record_head"]) {
      if (backend === "sqlite") await sql`drop trigger ${sql.id(trigger)}`.execute(store.db);
      else await sql`drop trigger ${sql.id(trigger)} on audit_log`.execute(store.db);
    }
  }

  it("head of an empty log is not found", async () => {
    const result = await run("audit", "head");
    expect(result.code).toBe(4);
    expect(result.err).toContain("error: the audit log is empty: there is no head yet");
  });

  it("verify and head on an intact log", async () => {
    await appendThree();
    const head = await store.audit.head();

    const verified = await run("audit", "verify");
    expect(verified.code).toBe(0);
    expect(verified.out).toBe(`audit log intact: 3 entries (seq 1 to 3), 0 purged, head 3 ${head?.hash ?? ""}\n`);

    const printed = await run("audit", "head");
    expect(printed.code).toBe(0);
    expect(printed.out).toBe(`3 ${head?.hash ?? ""}\n`);

    const json = await run("audit", "verify", "--json", "--expect-head", head?.hash.toUpperCase() ?? "");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ intact: true, entries: 3, firstSeq: 1, lastSeq: 3, purged: 0, problems: [] });
  });

  it("list filters and is audited", async () => {
    await appendThree();
    const listed = await run("audit", "list", "--json", "--from", "2025-03-03", "--to", "2025-03-03");
    expect(listed.code).toBe(0);
    const entries = JSON.parse(listed.out) as { seq: number; action: string; details: unknown }[];
    expect(entries.map((e) => [e.seq, e.action])).toEqual([
      [1, "login"],
      [2, "read.suggestions"],
    ]);
    expect(entries[1]?.details).toEqual({ days: 7 });

    const reads = await run("audit", "list", "--json", "--action", "read.");
    const readActions = (JSON.parse(reads.out) as { seq: number; actor: string; action: string; details: unknown }[]).map((e) => [e.seq, e.actor, e.action, e.details]);
    expect(readActions).toEqual([
      [2, "person:4", "read.suggestions", { days: 7 }],
      [4, "cli", "read.audit", { entries: 2 }],
    ]);

    const table = await run("audit", "list", "--actor", "admin");
    expect(table.code).toBe(0);
    expect(table.out).toContain("2025-03-03T09:00:00.000Z");
    expect(table.out).toContain("login");
    expect(table.out).not.toContain("read.suggestions");
    expect((await run("audit", "verify")).code).toBe(0);
  });

  it("verify fails on a removed entry", async () => {
    await appendThree();
    await dropTriggers();
    await store.db.deleteFrom("audit_log").where("seq", "=", 2).execute();
    const result = await run("audit", "verify");
    expect(result.code).toBe(7);
    expect(result.out).toBe("missing at 2: entry 2 is missing: the log jumps from 1 to 3\n");
    expect(result.err).toContain("error: audit log is not intact: 1 problem(s), the first: entry 2 is missing");
  });

  it("verify with the kept head finds a removed tail", async () => {
    await appendThree();
    const keptHead = await store.audit.head();
    await dropTriggers();
    const second = await store.db.selectFrom("audit_log").select(["seq", "hash"]).where("seq", "=", 2).executeTakeFirstOrThrow();
    await store.db.deleteFrom("audit_log").where("seq", "=", 3).execute();
    await store.settings.set("audit.head", JSON.stringify({ seq: second.seq, hash: second.hash }));

    expect((await run("audit", "verify")).code).toBe(0);
    const result = await run("audit", "verify", "--expect-head", keptHead?.hash ?? "");
    expect(result.code).toBe(7);
    expect(result.out).toContain("expected-head-missing: the expected head");
  });

  it("rejects invalid options", async () => {
    expect((await run("audit", "verify", "--expect-head", "abc")).code).toBe(2);
    expect((await run("audit", "list", "--from", "March 3")).code).toBe(2);
    expect((await run("audit", "list", "--limit", "0")).code).toBe(2);
  });
});
