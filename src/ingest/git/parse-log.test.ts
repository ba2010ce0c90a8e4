import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { parseGitLog } from "./parse-log.js";

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const SHA_C = "c".repeat(40);
const SHA_D = "d".repeat(40);
const NUTCH_LOG = new URL("../../../../shared/data/nutch/git-log.txt", import.meta.url);

interface Entry {
  sha: string;
  headers?: string[];
  authorDate?: string;
  message?: string[];
  files?: string[];
}

/** Renders commits the way `git log --format=fuller --date=iso-strict --numstat` prints them. */
function render(entries: Entry[]): string {
  const out: string[] = [];
  for (const entry of entries) {
    out.push(`commit ${entry.sha}`, ...(entry.headers ?? []));
    out.push("Author:     Dev One <Dev.One@Example.com>");
    out.push(`AuthorDate: ${entry.authorDate ?? "2025-03-03T10:15:00+01:00"}`);
    out.push("Commit:     Dev Two <dev.two@example.com>", "CommitDate: 2025-03-06T17:02:11+01:00", "");
    const message = entry.message ?? ["PROJ-1 fix"];
    if (message.length > 0) out.push(...message.map((line) => `    ${line}`), "");
    if (entry.files !== undefined && entry.files.length > 0) out.push(...entry.files, "");
  }
  return out.join("\n");
}

describe("parseGitLog", () => {
  it("maps a commit to an activity", () => {
    const text = render([{ sha: SHA_A, message: ["PROJ-1 parse config", "", "Also touches PROJ-2."], files: ["3\t1\tsrc/a.ts", "10\t0\tsrc/b.ts"] }]);
    const { records, skipped, warnings } = parseGitLog(text, { file: "log.txt", repo: "app" });

    expect(skipped).toEqual([]);
    expect(warnings).toEqual([]);
    expect(records).toEqual([
      {
        sourceUid: `git:${SHA_A}`,
        source: "git",
        kind: "commit",
        actor: { source: "git", externalId: "dev.one@example.com", email: "Dev.One@Example.com", displayName: "Dev One", tz: "UTC+01:00" },
        startAt: Date.parse("2025-03-03T10:15:00+01:00"),
        endAt: Date.parse("2025-03-03T10:15:00+01:00"),
        tz: "UTC+01:00",
        dateOnly: false,
        landedAt: Date.parse("2025-03-06T17:02:11+01:00"),
        repo: "app",
        explicitKeys: ["PROJ-1", "PROJ-2"],
        metrics: { linesAdded: 13, linesDeleted: 1, filesChanged: 2 },
        text: { title: "PROJ-1 parse config", body: "Also touches PROJ-2.", paths: "src/a.ts\nsrc/b.ts" },
      },
    ]);
  });

  it("omits repo without the option", () => {
    const [record] = parseGitLog(render([{ sha: SHA_A }]), { file: "log.txt" }).records;
    expect(record).not.toHaveProperty("repo");
  });

  it("reads a merge without numstat", () => {
    const text = render([
      { sha: SHA_A, headers: ["Merge: 35b725127 4fdac7124"], message: ["Merge branch 'feature/PROJ-7'"] },
      { sha: SHA_B, files: ["1\t1\tx"] },
    ]);
    const { records } = parseGitLog(text, { file: "log.txt" });
    expect(records.map((r) => r.metrics)).toEqual([
      { linesAdded: 0, linesDeleted: 0, filesChanged: 0 },
      { linesAdded: 1, linesDeleted: 1, filesChanged: 1 },
    ]);
    expect(records[0]?.text.title).toBe("Merge branch 'feature/PROJ-7'");
  });

  it("counts a binary file without lines", () => {
    const [record] = parseGitLog(render([{ sha: SHA_A, files: ["-\t-\tlib/a.jar", "2\t0\tREADME"] }]), { file: "f" }).records;
    expect(record?.metrics).toEqual({ linesAdded: 2, linesDeleted: 0, filesChanged: 2 });
    expect(record?.text.paths).toBe("lib/a.jar\nREADME");
  });

  it("stores the new path of a rename", () => {
    const files = ["0\t0\tsrc/plugin/{languageidentifier => language-identifier}/build.xml", "4\t1\told.txt => new.txt"];
    const [record] = parseGitLog(render([{ sha: SHA_A, files }]), { file: "f" }).records;
    expect(record?.text.paths).toBe("src/plugin/language-identifier/build.xml\nnew.txt");
  });

  it("reads an empty message followed by numstat", () => {
    const [record] = parseGitLog(render([{ sha: SHA_A, message: [], files: ["1\t0\ta"] }]), { file: "f" }).records;
    expect(record?.text).toEqual({ paths: "a" });
    expect(record?.explicitKeys).toEqual([]);
  });

  it("reads a commit with neither message nor files", () => {
    const text = render([{ sha: SHA_A, message: [] }, { sha: SHA_B }]);
    const { records, warnings } = parseGitLog(text, { file: "f" });
    expect(records.map((r) => r.sourceUid)).toEqual([`git:${SHA_A}`, `git:${SHA_B}`]);
    expect(records[0]?.text).toEqual({});
    expect(records[0]?.metrics).toEqual({ linesAdded: 0, linesDeleted: 0, filesChanged: 0 });
    expect(warnings).toEqual([]);
  });

  it("keeps blank and indented lines inside the body", () => {
    const message = ["Title", "", "first", "", "    code", "", ""];
    const [record] = parseGitLog(render([{ sha: SHA_A, message }]), { file: "f" }).records;
    expect(record?.text).toEqual({ title: "Title", body: "first\n\n    code" });
  });

  it("keeps the body when blank lines lost their indent", () => {
    const text = [`commit ${SHA_A}`, "Author: A <a@example.com>", "AuthorDate: 2025-03-03T10:15:00Z", "", "    Title", "", "    body", "", "1\t1\tx", ""].join("\n");
    const [record] = parseGitLog(text, { file: "f" }).records;
    expect(record?.text).toEqual({ title: "Title", body: "body", paths: "x" });
  });

  it("reads Windows line endings", () => {
    const text = render([{ sha: SHA_A, message: ["PROJ-3 crlf", "", "body"], files: ["1\t2\tsrc/a b.ts"] }, { sha: SHA_B }]).replaceAll("\n", "\r\n");
    const { records, warnings } = parseGitLog(text, { file: "f" });
    expect(warnings).toEqual([]);
    expect(records[0]?.text).toEqual({ title: "PROJ-3 crlf", body: "body", paths: "src/a b.ts" });
    expect(records[0]?.metrics).toEqual({ linesAdded: 1, linesDeleted: 2, filesChanged: 1 });
    expect(records).toHaveLength(2);
  });

  it("strips a byte order mark", () => {
    const { records } = parseGitLog(`\uFEFF${render([{ sha: SHA_A }])}`, { file: "f" });
    expect(records).toHaveLength(1);
  });

  it("ignores unknown header lines with a warning", () => {
    const headers = ["gpg: Signature made Mon Mar  3 10:15:00 2025 CET", "Reflog: HEAD@{0} (Dev One)"];
    const { records, warnings } = parseGitLog(render([{ sha: SHA_A, headers }, { sha: SHA_B, headers: ["Reflog: x"] }]), { file: "f" });
    expect(records).toHaveLength(2);
    expect(warnings).toEqual(["3 commit header lines of unknown kind were ignored (gpg, Reflog)"]);
  });

  it("ignores git notes", () => {
    const text = render([{ sha: SHA_A, message: ["Title"] }]).replace("    Title\n", "    Title\n\nNotes:\n    reviewed by X\n\nNotes (review):\n    ok\n");
    const { records, warnings } = parseGitLog(`${text}\n1\t1\ta.ts\n`, { file: "f" });
    expect(records[0]?.text).toEqual({ title: "Title", paths: "a.ts" });
    expect(warnings).toEqual([]);
  });

  it("reads --source refs and decorations on the commit line", () => {
    const text = render([{ sha: SHA_A }, { sha: SHA_B }])
      .replace(`commit ${SHA_A}`, `commit ${SHA_A}\trefs/heads/feature/PROJ-9-x (HEAD -> feature/PROJ-9-x, origin/feature/PROJ-9-x)`)
      .replace(`commit ${SHA_B}`, `commit ${SHA_B}\trefs/heads/feature/PROJ-9-x`);
    const withMainline = parseGitLog(text, { file: "f", mainline: new Set([SHA_B]) }).records;
    expect(withMainline.map((r) => r.text.branch)).toEqual(["feature/PROJ-9-x", undefined]);
    expect(withMainline.map((r) => r.explicitKeys)).toEqual([["PROJ-1", "PROJ-9"], ["PROJ-1"]]);

    const withoutMainline = parseGitLog(text, { file: "f" }).records;
    expect(withoutMainline.map((r) => r.text.branch)).toEqual([undefined, undefined]);
    expect(withoutMainline.map((r) => r.explicitKeys)).toEqual([["PROJ-1"], ["PROJ-1"]]);
  });

  it("keeps the first entry of a commit repeated by -m", () => {
    const text = render([
      { sha: SHA_A, files: ["1\t0\ta"] },
      { sha: SHA_A, files: ["5\t5\tb"] },
    ]).replace(`commit ${SHA_A}`, `commit ${SHA_A} (from ${SHA_B})`);
    const { records, warnings } = parseGitLog(text, { file: "f" });
    expect(records).toHaveLength(1);
    expect(records[0]?.text.paths).toBe("a");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^1 repeated commit entries were ignored/);
  });

  it("reads git's default medium format", () => {
    const text = [`commit ${SHA_A}`, "Author: Dev One <dev@example.com>", "Date:   Mon Mar 3 10:15:00 2025 +0100", "", "    PROJ-5 medium", "", "2\t2\tx", ""].join("\n");
    const [record] = parseGitLog(text, { file: "f" }).records;
    expect(record?.startAt).toBe(Date.parse("2025-03-03T10:15:00+01:00"));
    expect(record?.tz).toBe("UTC+01:00");
    expect(record).not.toHaveProperty("landedAt");
  });

  it("accepts a SHA-256 hash and lower-cases hashes", () => {
    const text = render([{ sha: "E".repeat(64) }]);
    expect(parseGitLog(text, { file: "f" }).records[0]?.sourceUid).toBe(`git:${"e".repeat(64)}`);
  });

  it("falls back to the name for an empty e-mail", () => {
    const text = render([{ sha: SHA_A }]).replace("Dev One <Dev.One@Example.com>", "Dev One <>");
    expect(parseGitLog(text, { file: "f" }).records[0]?.actor).toEqual({ source: "git", externalId: "name:dev one", displayName: "Dev One", tz: "UTC+01:00" });
  });
});

describe("parseGitLog on bad input", () => {
  it("skips a commit with a bad date among good ones", () => {
    const text = render([{ sha: SHA_A }, { sha: SHA_B, authorDate: "2025-02-30T10:00:00+01:00" }, { sha: SHA_C }]);
    const { records, skipped } = parseGitLog(text, { file: "f" });
    expect(records.map((r) => r.sourceUid)).toEqual([`git:${SHA_A}`, `git:${SHA_C}`]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.record).toBe(`commit ${SHA_B} (line 9)`);
    expect(skipped[0]?.reason).toMatch(/AuthorDate "2025-02-30T10:00:00\+01:00" is invalid/);
  });

  it("skips an author date outside 1990-2100", () => {
    const text = render([{ sha: SHA_A, authorDate: "1970-01-01T00:00:00+00:00" }, { sha: SHA_B }]);
    const { records, skipped } = parseGitLog(text, { file: "f" });
    expect(records).toHaveLength(1);
    expect(skipped[0]?.record).toBe(`commit ${SHA_A} (line 1)`);
    expect(skipped[0]?.reason).toMatch(/outside 1990-2100/);
  });

  it("keeps a commit with a bad committer date without landedAt", () => {
    const text = render([{ sha: SHA_A }]).replace("CommitDate: 2025-03-06T17:02:11+01:00", "CommitDate: yesterday");
    const { records, warnings } = parseGitLog(text, { file: "f" });
    expect(records[0]).not.toHaveProperty("landedAt");
    expect(warnings).toEqual(["1 commits have an invalid CommitDate, so their landedAt is empty; their author date still places them"]);
  });

  it("skips a malformed hash by line number", () => {
    const text = render([{ sha: SHA_A }, { sha: "d6f1bc29" }, { sha: SHA_C }]);
    const { records, skipped } = parseGitLog(text, { file: "f" });
    expect(records.map((r) => r.sourceUid)).toEqual([`git:${SHA_A}`, `git:${SHA_C}`]);
    expect(skipped).toEqual([{ record: "line 9", reason: expect.stringContaining('commit hash "d6f1bc29" is malformed') as string }]);
  });

  it("skips a commit cut before its dates", () => {
    const text = `${render([{ sha: SHA_A }])}\ncommit ${SHA_D}\nAuthor:     Dev One <dev@example.com>\nAuthorDa`;
    const { records, skipped, warnings } = parseGitLog(text, { file: "f" });
    expect(records).toHaveLength(1);
    expect(skipped).toEqual([{ record: `commit ${SHA_D} (line 9)`, reason: expect.stringContaining("AuthorDate line is missing") as string }]);
    expect(warnings).toEqual(["1 lines are not git log output and were ignored (first at line 11); the file may be edited or cut"]);
  });

  it("skips a commit cut before its author", () => {
    const { records, skipped } = parseGitLog(`${render([{ sha: SHA_A }])}\ncommit ${SHA_D}\n`, { file: "f" });
    expect(records).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/Author line is missing/);
  });

  it("warns about garbage between commits", () => {
    const text = render([{ sha: SHA_A, files: ["1\t1\ta", "garbage here", "1\t1\tb"] }, { sha: SHA_B }]);
    const { records, warnings } = parseGitLog(`junk before\n${text}`, { file: "f" });
    expect(records[0]?.metrics?.filesChanged).toBe(2);
    expect(warnings).toEqual([
      "1 lines before the first commit were ignored",
      "1 lines are not git log output and were ignored (first at line 11); the file may be edited or cut",
    ]);
  });

  it.each([
    ["empty text", ""],
    ["garbage", "this is not\na git log\n\u0000\u0001"],
    ["a JSON file", '{"commits": []}'],
    ["a one-line log", "d6f1bc2966279bfc1439a76a1031b822b0bc52b3 NUTCH-1238 Missed changes.txt"],
  ])("rejects %s with a hint", (_name, text) => {
    let error: unknown;
    try {
      parseGitLog(text, { file: "log.txt" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WorklensError);
    const worklensError = error as WorklensError;
    expect(worklensError.code).toBe("INVALID_INPUT");
    expect(worklensError.message).toMatch(/^log\.txt: no commit found/);
    expect(worklensError.hint).toContain("git log --all --date-order --format=fuller --date=iso-strict --numstat");
  });
});

describe("parseGitLog on the Apache Nutch log", () => {
  const text = readFileSync(NUTCH_LOG, "utf8");
  const commitLines = text.split("\n").filter((line) => line.startsWith("commit ")).length;
  const parsed = parseGitLog(text, { file: "git-log.txt", repo: "nutch" });

  it("reads every commit without skips", () => {
    expect(commitLines).toBe(3033);
    expect(parsed.records).toHaveLength(commitLines);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.warnings).toEqual([]);
  });

  it("counts every numstat line as a file", () => {
    const numstatLines = text.split("\n").filter((line) => /^(\d+|-)\t(\d+|-)\t/.test(line)).length;
    const files = parsed.records.reduce((sum, r) => sum + (r.metrics?.filesChanged ?? 0), 0);
    expect(files).toBe(numstatLines);
  });

  it("keeps hashes unique and issue keys found", () => {
    expect(new Set(parsed.records.map((r) => r.sourceUid)).size).toBe(3033);
    expect(parsed.records.filter((r) => r.explicitKeys.some((key) => key.startsWith("NUTCH-"))).length).toBeGreaterThan(1000);
  });
});
