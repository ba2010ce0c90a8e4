import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayOf } from "../../src/domain/time.js";
import type { ActivityInput } from "../../src/domain/types.js";
import { importGit } from "../../src/ingest/git/import.js";
import { readRepository } from "../../src/ingest/git/repository.js";
import { createTempRepo, type TempRepo } from "../../src/ingest/git/test-support/temp-repo.js";
import { openTestStore } from "../../src/store/test-support/backends.js";

const REBASE_CASE = new URL("../../../shared/cases/field/15-git-author-vs-committer-date-rebase.txt", import.meta.url);

interface CaseCommit {
  authorName: string;
  authorDate: string;
  committerDate: string;
  subject: string;
}

/** Reads the rows of `git log --format='%H|%an|%aI|%cI|%s'`. Their hashes are made up, so the test creates new commits. */
function readCaseCommits(): CaseCommit[] {
  return readFileSync(REBASE_CASE, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [, authorName = "", authorDate = "", committerDate = "", ...subject] = line.split("|");
      return { authorName, authorDate, committerDate, subject: subject.join("|") };
    });
}

describe("git author date versus committer date after a rebase", () => {
  const caseCommits = readCaseCommits();
  let repo: TempRepo;
  let commits: ActivityInput[];

  beforeAll(async () => {
    repo = createTempRepo("rebased");
    // Oldest first, in the order the case lists and the author wrote them.
    for (const commit of caseCommits) {
      repo.commit({
        message: commit.subject,
        files: { [`notes-${commit.authorDate.slice(0, 10)}.txt`]: commit.subject },
        authorName: commit.authorName,
        authorDate: commit.authorDate,
        committerDate: commit.committerDate,
      });
    }
    const parsed = await readRepository(repo.path);
    commits = [...parsed.records].sort((a, b) => a.startAt - b.startAt);
  });

  afterAll(() => {
    repo.dispose();
  });

  it("case file lists three commits", () => {
    expect(caseCommits).toHaveLength(3);
  });

  it("places commits on their author days", () => {
    expect(commits.map((c) => dayOf(c.startAt, c.tz))).toEqual(["2025-03-03", "2025-03-04", "2025-03-05"]);
  });

  it("keeps the author's offset as the zone", () => {
    expect(commits.map((c) => c.tz)).toEqual(["UTC+01:00", "UTC+01:00", "UTC+01:00"]);
    expect(commits.map((c) => c.actor.tz)).toEqual(["UTC+01:00", "UTC+01:00", "UTC+01:00"]);
  });

  it("uses the author instant for start and end", () => {
    expect(commits.map((c) => c.startAt)).toEqual([
      Date.parse("2025-03-03T10:15:00+01:00"),
      Date.parse("2025-03-04T14:40:00+01:00"),
      Date.parse("2025-03-05T11:05:00+01:00"),
    ]);
    expect(commits.map((c) => c.endAt)).toEqual(commits.map((c) => c.startAt));
  });

  it("keeps the committer date as landedAt on the rebase day", () => {
    const landed = commits.map((c) => (c.landedAt === undefined ? "missing" : dayOf(c.landedAt, c.tz)));
    expect(landed).toEqual(["2025-03-06", "2025-03-06", "2025-03-06"]);
    expect(commits[0]?.landedAt).toBe(Date.parse("2025-03-06T17:02:11+01:00"));
  });

  it("takes the issue key from the message", () => {
    expect(commits.map((c) => c.explicitKeys)).toEqual([["PROJ-42"], ["PROJ-42"], ["PROJ-42"]]);
  });

  it("stores author days through importGit", async () => {
    const handle = await openTestStore("sqlite");
    try {
      const report = await importGit(handle.store, repo.path);
      const stored = await handle.store.activities.list({ source: "git" });
      expect(report.imported).toBe(3);
      expect(stored.map((a) => dayOf(a.startAt, a.tz))).toEqual(["2025-03-03", "2025-03-04", "2025-03-05"]);
      expect(stored.map((a) => (a.landedAt === null ? "missing" : dayOf(a.landedAt, a.tz)))).toEqual(["2025-03-06", "2025-03-06", "2025-03-06"]);
      expect(stored.map((a) => a.repo)).toEqual(["rebased", "rebased", "rebased"]);
    } finally {
      await handle.dispose();
    }
  });
});
