import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createScrubContext, looksLikeSecret, namesOfPeople, scrubText } from "./scrub.js";

const PEOPLE = createScrubContext(["José Álvarez", "Mark Long", "Wu Li", "jnioche", "Dana Ashdown"]);

describe("scrubText", () => {
  it.each([
    ["mail jane.doe+ci@mail.example.com now", "mail [email] now"],
    ["call +49 30 1234 5678 today", "call [phone] today"],
    ["call +1 (555) 123-4567", "call [phone]"],
    ["office (555) 123-4567 or 555.123.4567", "office [phone] or [phone]"],
    ["mobile 0171-1234567, home 030 12345678", "mobile [phone], home [phone]"],
    ["06 12 34 56 78", "[phone]"],
    ["clone https://deploy:hunter2@git.example.com/repo.git", "clone https://[secret]@git.example.com/repo.git"],
    ["GET /api?user=1&access_token=abc123XYZ&page=2", "GET /api?user=1&access_token=[secret]&page=2"],
    ["see https://x.example.com/f?sig=Zm9vYmFy&key=k1", "see https://x.example.com/f?sig=[secret]&key=[secret]"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt [secret]"],
    ["token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 leaked", "token [secret] leaked"],
    ["github_pat_11ABCDEFG0abcdefghij_klmnopqrstuvwxyz0123456789ABCDEFGHIJ", "[secret]"],
    ["glpat-xY7abc_DEF-123ghiJKLmn", "[secret]"],
    ["slack xoxb-123456789012-abcdefGHIJKL", "slack [secret]"],
    ["aws AKIAIOSFODNN7EXAMPLE", "aws [secret]"],
    ["google AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google [secret]"],
    ["key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend", "key:\n[secret]\nend"],
    ["DB_PASSWORD=s3cr3t! and secret: 'open sesame'", "DB_PASSWORD=[secret] and secret: [secret]"],
    ["blob q8Xz3LmN0pR7vK2wT9yB4cF6hJ1dG5sA", "blob [secret]"],
    ["by José Álvarez and JOSE alvarez", "by [person] and [person]"],
    ["reviewed by Mark Long, a long mark", "reviewed by [person], a long mark"],
    ["thanks Wu Li and li", "thanks [person] and li"],
    ["Dana's patch from jnioche", "[person]'s patch from [person]"],
    ["Ashdown fixed it", "[person] fixed it"],
    ["DanaParser and dana2 stay", "DanaParser and dana2 stay"],
    ["/home/dana/src/Fetcher.java C:\\Users\\someone\\x.txt", "/home/[person]/src/Fetcher.java C:\\Users\\[person]\\x.txt"],
  ])("scrubs %j", (input, expected) => {
    expect(scrubText(input, PEOPLE)).toBe(expected);
  });

  it.each([
    "NUTCH-1238 Fetcher throughput threshold must start before feeder finished",
    "git-svn-id: https://svn.apache.org/repos/asf/nutch/trunk@1225544 13f79535-47bb-0310-9956-ffa450edef68",
    "src/java/org/apache/nutch/fetcher/Fetcher.java",
    "release 1.2.3 on 2010-08-04 at 12:30:45, build 20071128195720",
    "commit d6f1bc2966279bfc1439a76a1031b822b0bc52b3 and short d6f1bc2",
    "crawl/segments/20090821062021 attempt_200908171832_0012_m_000013_0",
    "Committed revision 1099895; see r959954",
    "testFetch5551234567Handling and HttpClient4Connection",
    "nutch-2008-11-02_04-01-26.tar",
  ])("keeps %j", (input) => {
    expect(scrubText(input, PEOPLE)).toBe(input);
  });

  it("tells secrets from identifiers", () => {
    expect(looksLikeSecret("q8Xz3LmN0pR7vK2wT9yB4cF6hJ1dG5sA")).toBe(true);
    expect(looksLikeSecret("TestFetcherThreadWithRobots2")).toBe(false);
    expect(looksLikeSecret("0123456789abcdef0123456789abcdef01234567")).toBe(false);
  });

  it("collects names of people", () => {
    const names = namesOfPeople([
      { displayName: "Dana Ashdown", email: "dana.ashdown@example.org", identities: [{ id: 1, source: "jira", externalId: "5b10a2844c20165700ede21g" }, { id: 2, source: "git", externalId: "dashdown@example.org" }] },
    ]);
    expect(names).toEqual(["Dana Ashdown", "dana.ashdown", "dashdown"]);
  });
});

const SAFE_PIECES = [
  "fetcher", "Parser", "crawl", "the", "index", "NUTCH-1238", "PROJ-7", "src/java/org/apache/nutch/Fetcher.java", "2010-08-04",
  "12:30", "v1.2.3", "d6f1bc2", "d6f1bc2966279bfc1439a76a1031b822b0bc52b3", "HttpClient4", "r959954", "42", "3.14", "x_y", "a-b",
  "(NPE)", "fix:", "foo.bar", "segments/20090821062021", "OutlinkExtractor", "mapred", "#12",
];
const SEPARATORS = [" ", "\n", ", ", ". ", " - ", "\t", "; "];

const safeText = fc
  .array(fc.tuple(fc.constantFrom(...SAFE_PIECES), fc.constantFrom(...SEPARATORS)), { maxLength: 30 })
  .map((parts) => parts.map(([piece, separator]) => piece + separator).join(""));
const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  safeText,
  fc.tuple(safeText, fc.constantFrom("jane@example.org", "+49 30 1234 5678", "José Álvarez", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "password=x1"), safeText).map((t) => t.join(" ")),
);

describe("scrubText properties", () => {
  it("is idempotent", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = scrubText(text, PEOPLE);
        expect(scrubText(once, PEOPLE)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves text without personal data unchanged", () => {
    fc.assert(
      fc.property(safeText, (text) => {
        expect(scrubText(text, PEOPLE)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps every issue key", () => {
    fc.assert(
      fc.property(anyText, fc.stringMatching(/^[A-Z][A-Z0-9]{1,9}-[1-9]\d{0,5}$/), (text, key) => {
        expect(scrubText(`${text} ${key} ${text}`, PEOPLE)).toContain(key);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("scrubText speed", () => {
  it("scrubs the Nutch texts quickly", () => {
    const nutch = resolve(import.meta.dirname, "../../data/nutch");
    const jira = JSON.parse(readFileSync(resolve(nutch, "jira-issues.json"), "utf8")) as { issues: { fields: { summary?: string; description?: string | null; comment?: { comments?: { body: string }[] }; reporter?: { displayName?: string } | null; assignee?: { displayName?: string } | null } }[] };
    const texts: string[] = [];
    const names = new Set<string>();
    for (const issue of jira.issues) {
      const f = issue.fields;
      texts.push(f.summary ?? "", f.description ?? "", (f.comment?.comments ?? []).map((c) => c.body).join("\n"));
      for (const person of [f.reporter, f.assignee]) if (person?.displayName !== undefined) names.add(person.displayName);
    }
    const log = readFileSync(resolve(nutch, "git-log.txt"), "utf8");
    for (const commit of log.split(/^commit /m).slice(1)) {
      texts.push(commit.replace(/^(Author|AuthorDate|Commit|CommitDate):.*$/gm, ""));
      const author = /^Author:\s+(.+?) </m.exec(commit)?.[1];
      if (author !== undefined) names.add(author);
    }
    // CPU time rather than wall time, because other test files share the cores meanwhile.
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    const context = createScrubContext(names);
    const scrubbed = texts.map((t) => scrubText(t, context));
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const wallMs = performance.now() - wallStart;
    console.info(`scrubbed ${String(texts.length)} Nutch texts (${String(texts.reduce((n, t) => n + t.length, 0))} characters, ${String(names.size)} names) in ${cpuMs.toFixed(0)} ms CPU, ${wallMs.toFixed(0)} ms wall`);
    expect(texts.length).toBe(464 * 3 + 3033);
    expect(scrubbed.filter((t, i) => t !== texts[i]).length).toBeGreaterThan(0);
    expect(cpuMs).toBeLessThan(1000);
  });
});
