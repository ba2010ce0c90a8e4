import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { exportPersonDocument } from "../../src/governance/person-export.js";
import { columnValues, listColumns } from "../../src/governance/test-support/catalog.js";
import { A_COMMIT_TEXT, B_COMMIT_TEXT, PERSON_A, PERSON_B, SEED_FROM, SEED_TO, seedTwoPeople, type SeedResult } from "../../src/governance/test-support/two-people.js";
import { Store, type StoreConfig } from "../../src/store/store.js";
import { BACKENDS, TEST_MASTER_KEY, TEST_POSTGRES_URL, testKeyProvider, type Backend } from "../../src/store/test-support/backends.js";

const NOW = Date.UTC(2025, 2, 13, 12);

/** Everything that names person A: their name, e-mail and Jira account id. */
const A_TERMS = [PERSON_A.name, PERSON_A.email, PERSON_A.accountId];

/** Encodes each term the ways a file could store it: UTF-8 and UTF-16LE, as written, lower case and upper case. */
function encodings(terms: readonly string[]): { label: string; bytes: Buffer }[] {
  const result: { label: string; bytes: Buffer }[] = [];
  for (const term of terms) {
    for (const variant of new Set([term, term.toLowerCase(), term.toUpperCase()])) {
      result.push({ label: `${variant} (utf-8)`, bytes: Buffer.from(variant, "utf8") });
      result.push({ label: `${variant} (utf-16le)`, bytes: Buffer.from(variant, "utf16le") });
    }
  }
  return result;
}

/** Returns the labels of the encoded terms found in any of the files. */
function scanFiles(files: readonly string[], terms: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const { label, bytes: needle } of encodings(terms)) if (bytes.includes(needle)) found.push(`${label} in ${file}`);
  }
  return found;
}

/** Returns "table.column" of every stored text value that contains a term, case-insensitively. */
async function scanColumns(store: Store, terms: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const lowered = terms.map((term) => term.toLowerCase());
  for (const { table, column } of await listColumns(store)) {
    for (const value of await columnValues(store, table, column)) {
      const text = value?.toLowerCase();
      if (text !== undefined && lowered.some((term) => text.includes(term))) found.push(`${table}.${column}`);
    }
  }
  return found;
}

describe("byte scan helpers", () => {
  it("find a term in each encoding", () => {
    const folder = mkdtempSync(join(tmpdir(), "worklens-scan-"));
    try {
      // Control: the scanner must see what it searches for, or a clean scan proves nothing.
      const file = join(folder, "bytes");
      for (const bytes of [Buffer.from(`xx${PERSON_A.email.toUpperCase()}yy`, "utf8"), Buffer.from(`..${PERSON_A.name}..`, "utf16le")]) {
        writeFileSync(file, bytes);
        expect(scanFiles([file], A_TERMS).length).toBeGreaterThan(0);
      }
      writeFileSync(file, Buffer.from(`${PERSON_B.name} ${PERSON_B.email}`, "utf8"));
      expect(scanFiles([file], A_TERMS)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe.each(BACKENDS)("deletion byte scan (%s)", (backend: Backend) => {
  let folder: string;
  let config: StoreConfig;
  let seed: SeedResult;

  function open(): Promise<Store> {
    return Store.open(config, backend === "postgres" ? { keys: testKeyProvider() } : {});
  }

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const location = config.kind === "sqlite" ? ["--store", config.file] : ["--postgres", config.connectionString, "--schema", config.schema ?? ""];
    const code = await runCli({
      argv: [...location, "--no-progress", ...args],
      env: backend === "postgres" ? { WORKLENS_MASTER_KEY: TEST_MASTER_KEY } : {},
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTty: false,
    });
    return { code, out, err };
  }

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-byte-scan-"));
    config =
      backend === "sqlite"
        ? { kind: "sqlite", file: join(folder, "store.sqlite") }
        : { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` };
    const store = await open();
    try {
      seed = await seedTwoPeople(store);
    } finally {
      await store.close();
    }
  });
  afterEach(async () => {
    const store = await open();
    await store.wipeForTests();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("finds nothing of the deleted person", async () => {
    // Control: the export before the deletion contains A's name, e-mail and commits.
    const exportFile = join(folder, "a.json");
    const exported = await run("privacy", "export", PERSON_A.email, "--out", exportFile);
    expect(exported.code, exported.err).toBe(0);
    const document = readFileSync(exportFile, "utf8");
    for (const term of [PERSON_A.name, PERSON_A.email, A_COMMIT_TEXT]) expect(document).toContain(term);

    // Control: a deleted row's bytes stay in the files until the deletion clears them.
    const store = await open();
    await store.settings.set("test.scan-control", PERSON_A.email);
    await store.db.deleteFrom("settings").where("key", "=", "test.scan-control").execute();
    if (config.kind === "sqlite") expect(scanFiles([`${config.file}-wal`], [PERSON_A.email]).length).toBeGreaterThan(0);
    await store.settings.set("test.scan-control", PERSON_A.email);
    expect(await scanColumns(store, [PERSON_A.email])).toEqual(["settings.value"]);
    await store.db.deleteFrom("settings").where("key", "=", "test.scan-control").execute();
    await store.close();

    const deleted = await run("privacy", "delete", String(seed.personA), "--yes");
    expect(deleted.code, deleted.err).toBe(0);
    const receipt = JSON.parse(deleted.out) as { deleted: Record<string, number>; keyDestroyed: boolean };
    expect(receipt.deleted["persons"]).toBe(1);
    expect(receipt.keyDestroyed).toBe(true);

    if (config.kind === "sqlite") {
      const files = [config.file, `${config.file}-wal`, `${config.file}-shm`];
      expect(existsSync(config.file)).toBe(true);
      expect(scanFiles(files, A_TERMS)).toEqual([]);
    }
    const after = await open();
    try {
      expect(await scanColumns(after, A_TERMS)).toEqual([]);
      // Decrypted, too: no remaining text names A, because others' text now reads "[deleted person]".
      const texts = JSON.stringify([...(await after.issues.texts()).values()]).toLowerCase();
      for (const term of A_TERMS) expect(texts).not.toContain(term.toLowerCase());
      const b = JSON.stringify(await exportPersonDocument(after, seed.personB, { now: NOW, actor: "cli" }));
      for (const term of A_TERMS) expect(b.toLowerCase()).not.toContain(term.toLowerCase());

      // B is intact and still decrypts.
      expect(b).toContain(PERSON_B.name);
      expect(b).toContain(PERSON_B.email);
      expect(b).toContain(B_COMMIT_TEXT);
      expect((await after.worklogs.list({ personId: seed.personB })).map((w) => w.id)).toContain(seed.acceptedB);
    } finally {
      await after.close();
    }

    const suggested = await run("suggest", "--from", SEED_FROM, "--to", SEED_TO);
    expect(suggested.code, suggested.err).toBe(0);
    expect(suggested.out).toMatch(/suggested \d+ worklog/);
  });

  it.skipIf(backend !== "sqlite")("delete leaves no free pages", async () => {
    if (config.kind !== "sqlite") throw new Error("this test needs the SQLite backend");
    const deleted = await run("privacy", "delete", PERSON_A.email, "--yes");
    expect(deleted.code, deleted.err).toBe(0);
    // VACUUM rebuilt the file, so no page that held a deleted row is left on the free list.
    const store = await open();
    try {
      const free = await sql<{ freelist_count: number }>`pragma freelist_count`.execute(store.db);
      expect(free.rows[0]?.freelist_count).toBe(0);
    } finally {
      await store.close();
    }
    // The CLI closed the store, and SQLite removes the WAL file on the last clean close.
    expect(existsSync(`${config.file}-wal`)).toBe(false);
  });
});
