import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractIssueKeys } from "../../domain/issue-keys.js";
import { offsetZoneName } from "../../domain/time.js";
import { parseGitLog } from "./parse-log.js";

interface FileChange {
  /** Path segments shared before and after a rename, then the changed middle, then the shared end. */
  prefix: string[];
  oldMiddle: string[];
  newMiddle: string[];
  suffix: string[];
  renamed: boolean;
  counts: { added: number; deleted: number } | undefined;
}

interface GeneratedCommit {
  sha: string;
  name: string;
  email: string;
  authored: number;
  authorOffset: number;
  committed: number;
  committerOffset: number;
  title: string;
  body: string[];
  files: FileChange[];
  isMerge: boolean;
}

const hex = fc.string({ unit: fc.constantFrom(...Array.from("0123456789abcdef")), minLength: 40, maxLength: 40 });
const nameChar = fc.constantFrom(...Array.from("abcdefXYZ éøß日本-'."));
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 20 }).filter((text) => text.trim() !== "").map((text) => text.trim());
const email = fc
  .tuple(fc.string({ unit: fc.constantFrom(...Array.from("abcXYZ019._+-")), minLength: 1, maxLength: 10 }), fc.constantFrom("example.com", "Example.ORG"))
  .map(([local, domain]) => `${local}@${domain}`);
const instant = fc.integer({ min: Date.UTC(1990, 0, 2), max: Date.UTC(2099, 11, 30) }).map((ms) => ms - (ms % 1000));
const offset = fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15);
const textChar = fc.constantFrom(...Array.from("abcXYZ 0123456789-_:;,.!?()[]{}<>=\"'\\/#\té日→"), "PROJ-12", "NUTCH-7", "commit ");
const line = fc.string({ unit: textChar, maxLength: 30 }).map((text) => text.trimEnd());
const title = line.filter((text) => text.trim() !== "");
const segment = fc.string({ unit: fc.constantFrom(...Array.from("abcXYZ09._- é日\"\\\t")), minLength: 1, maxLength: 8 }).filter((text) => text !== "." && text !== "..");
const segments = (min: number) => fc.array(segment, { minLength: min, maxLength: 3 });
const counts = fc.option(fc.record({ added: fc.nat(100_000), deleted: fc.nat(100_000) }), { nil: undefined });

const fileChange: fc.Arbitrary<FileChange> = fc.oneof(
  fc.record({ suffix: segments(1), counts }).map(({ suffix, counts: c }) => ({ prefix: [], oldMiddle: [], newMiddle: [], suffix, renamed: false, counts: c })),
  fc
    .record({ prefix: segments(0), oldMiddle: segments(0), newMiddle: segments(0), suffix: segments(0), counts })
    .filter((f) => f.oldMiddle.join("/") !== f.newMiddle.join("/"))
    .filter((f) => f.suffix.length > 0 || (f.oldMiddle.length > 0 && f.newMiddle.length > 0))
    .map((f) => ({ ...f, renamed: true })),
);

const commit: fc.Arbitrary<GeneratedCommit> = fc.record({
  sha: hex,
  name,
  email,
  authored: instant,
  authorOffset: offset,
  committed: instant,
  committerOffset: offset,
  title,
  body: fc.array(line, { maxLength: 5 }),
  files: fc.array(fileChange, { maxLength: 6 }),
  isMerge: fc.boolean(),
});

function newPath(file: FileChange): string {
  return [...file.prefix, ...file.newMiddle, ...file.suffix].join("/");
}

function oldPath(file: FileChange): string {
  return [...file.prefix, ...file.oldMiddle, ...file.suffix].join("/");
}

/** C-style quoting as git applies it to paths with core.quotePath on. */
function quotePath(path: string): string {
  const bytes = Buffer.from(path, "utf8");
  const needsQuotes = bytes.some((byte) => byte < 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x5c);
  if (!needsQuotes) return path;
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x09) out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

function renderPath(file: FileChange): string {
  if (!file.renamed) return quotePath(newPath(file));
  const from = oldPath(file);
  const to = newPath(file);
  if (quotePath(from) !== from || quotePath(to) !== to) return `${quotePath(from)} => ${quotePath(to)}`;
  if (file.prefix.length === 0 && file.suffix.length === 0) return `${from} => ${to}`;
  const before = file.prefix.map((s) => `${s}/`).join("");
  const after = file.suffix.map((s) => `/${s}`).join("");
  return `${before}{${file.oldMiddle.join("/")} => ${file.newMiddle.join("/")}}${after}`;
}

function isoStrict(at: number, offsetMinutes: number): string {
  const local = new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const zone = offsetZoneName(offsetMinutes).replace("UTC", "");
  return `${local}${zone === "" ? "+00:00" : zone}`;
}

function render(commits: readonly GeneratedCommit[]): string {
  const out: string[] = [];
  for (const c of commits) {
    out.push(`commit ${c.sha}`);
    if (c.isMerge) out.push(`Merge: ${c.sha.slice(0, 7)} ${c.sha.slice(7, 14)}`);
    out.push(`Author:     ${c.name} <${c.email}>`, `AuthorDate: ${isoStrict(c.authored, c.authorOffset)}`);
    out.push(`Commit:     ${c.name} <${c.email}>`, `CommitDate: ${isoStrict(c.committed, c.committerOffset)}`, "");
    out.push(...[c.title, ...c.body].map((text) => `    ${text}`), "");
    const files = c.isMerge ? [] : c.files;
    for (const f of files) out.push(`${f.counts?.added ?? "-"}\t${f.counts?.deleted ?? "-"}\t${renderPath(f)}`);
    if (files.length > 0) out.push("");
  }
  return out.join("\n");
}

function expectedBody(lines: readonly string[]): string | undefined {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? "").trim() === "") start += 1;
  while (end > start && (lines[end - 1] ?? "").trim() === "") end -= 1;
  return start < end ? lines.slice(start, end).join("\n") : undefined;
}

describe("parseGitLog property", () => {
  it("parses rendered commits back to their fields", () => {
    const commits = fc.uniqueArray(commit, { selector: (c) => c.sha, minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(commits, fc.boolean(), (generated, crlf) => {
        const text = render(generated);
        const parsed = parseGitLog(crlf ? text.replaceAll("\n", "\r\n") : text, { file: "generated.txt", repo: "r" });

        expect(parsed.skipped).toEqual([]);
        expect(parsed.warnings).toEqual([]);
        expect(parsed.records).toHaveLength(generated.length);
        generated.forEach((c, index) => {
          const record = parsed.records[index];
          const files = c.isMerge ? [] : c.files;
          const tz = offsetZoneName(c.authorOffset);
          const body = expectedBody(c.body);
          expect(record?.sourceUid).toBe(`git:${c.sha}`);
          expect(record?.actor).toEqual({ source: "git", externalId: c.email.toLowerCase(), email: c.email, displayName: c.name, tz });
          expect(record?.startAt).toBe(c.authored);
          expect(record?.endAt).toBe(c.authored);
          expect(record?.tz).toBe(tz);
          expect(record?.landedAt).toBe(c.committed);
          expect(record?.text.title).toBe(c.title);
          expect(record?.text.body).toBe(body);
          expect(record?.text.paths).toBe(files.length === 0 ? undefined : files.map(newPath).join("\n"));
          expect(record?.metrics).toEqual({
            linesAdded: files.reduce((sum, f) => sum + (f.counts?.added ?? 0), 0),
            linesDeleted: files.reduce((sum, f) => sum + (f.counts?.deleted ?? 0), 0),
            filesChanged: files.length,
          });
          expect(record?.explicitKeys).toEqual(extractIssueKeys([c.title, ...c.body].join("\n")));
        });
      }),
      { numRuns: 300 },
    );
  });
});
