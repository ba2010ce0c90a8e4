import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importGit } from "../ingest/git/import.js";
import { Store } from "./store.js";

const NAME = "Quillon Vexmarrow";
const EMAIL = "quillon.vexmarrow@zyxcorp.example";
const TITLES = ["Recalibrate the flux harmonizer", "Untangle the zebrafish ledger"];
const SHAS = ["3f1c2a9b8d7e6f50412233445566778899aabbcc", "4e2d3b0c9e8f7a61523344556677889900bbccdd"];

function gitLog(): string {
  return TITLES.map(
    (title, index) => `commit ${SHAS[index] ?? ""}
Author:     ${NAME} <${EMAIL}>
AuthorDate: 2025-03-1${String(index)}T10:00:00+01:00
Commit:     ${NAME} <${EMAIL}>
CommitDate: 2025-03-1${String(index)}T10:00:00+01:00

    PROJ-${String(index + 1)} ${title}

3\t1\tsrc/flux/harmonizer.ts
`,
  ).join("\n");
}

/** Encodes a string as it may appear in a file: UTF-8 and UTF-16LE, as written and in upper and lower case. */
function encodings(text: string): Buffer[] {
  return [text, text.toLowerCase(), text.toUpperCase()].flatMap((variant) => [Buffer.from(variant, "utf8"), Buffer.from(variant, "utf16le")]);
}

/** Returns the needles found in any of the files. */
function scan(files: readonly string[], needles: readonly string[]): string[] {
  const contents = files.filter((file) => existsSync(file)).map((file) => readFileSync(file));
  return needles.filter((needle) => encodings(needle).some((bytes) => contents.some((content) => content.includes(bytes))));
}

describe("SQLite file bytes", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-bytes-"));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("scan finds UTF-16 text", () => {
    const file = join(folder, "control.bin");
    writeFileSync(file, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(NAME.toUpperCase(), "utf16le")]));
    expect(scan([file], [NAME, EMAIL])).toEqual([NAME]);
  });

  it("hold no imported personal text in plain bytes", async () => {
    const file = join(folder, "store.sqlite");
    const log = join(folder, "git-log.txt");
    writeFileSync(log, gitLog());
    const store = await Store.open({ kind: "sqlite", file });
    const report = await importGit(store, log);
    expect(report.imported).toBe(2);

    // The text reads back through the store.
    const [person] = await store.people.list();
    expect(person?.displayName).toBe(NAME);
    expect(person?.email).toBe(EMAIL);
    const activities = await store.activities.list();
    const texts = await store.activities.texts(activities.map((a) => a.id));
    expect([...texts.values()].map((t) => t.title).sort()).toEqual(TITLES.map((title, index) => `PROJ-${String(index + 1)} ${title}`));

    // Checked while the store is open, so the WAL still contains the pages, and again after closing.
    const files = [file, `${file}-wal`, `${file}-shm`];
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(scan(files, [NAME, EMAIL, "Vexmarrow", "zyxcorp", ...TITLES])).toEqual([]);
    // Control: the commit id, which is not personal text, is stored in plain bytes and found.
    expect(scan(files, [SHAS[0] ?? ""])).toEqual([SHAS[0]]);
    await store.close();
    expect(scan(files, [NAME, EMAIL, "Vexmarrow", "zyxcorp", ...TITLES])).toEqual([]);
  });
});
