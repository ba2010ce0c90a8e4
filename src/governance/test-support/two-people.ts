import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAllocation } from "../../allocation/run-allocation.js";
import { importGit } from "../../ingest/git/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { runLinking } from "../../linking/run-linking.js";
import { acceptSuggestion } from "../../review/decide.js";
import type { Store } from "../../store/store.js";

/** A person with a name and e-mail distinctive enough to search the store's bytes for. */
export interface TestPerson {
  name: string;
  email: string;
  accountId: string;
}

export const PERSON_A: TestPerson = { name: "Zephyrine Quillfeather", email: "zephyrine.quillfeather@alpha-erase.example", accountId: "acc-zephyrine-7731" };
export const PERSON_B: TestPerson = { name: "Bartholomew Ostrander", email: "bartholomew.ostrander@beta-keep.example", accountId: "acc-bartholomew-4410" };

/** Words only A's own commit messages contain. */
export const A_COMMIT_TEXT = "calibrate quasar flux capacitor";
/** Words only B's own commit messages contain. */
export const B_COMMIT_TEXT = "untangle heliotrope sprocket";

export const SEED_FROM = "2025-03-10";
export const SEED_TO = "2025-03-12";

function jiraUser(person: TestPerson) {
  return { accountId: person.accountId, displayName: person.name, emailAddress: person.email };
}

function commit(hash: string, person: TestPerson, at: string, message: string, path: string): string {
  return [
    `commit ${hash}`,
    `Author:     ${person.name} <${person.email}>`,
    `AuthorDate: ${at}`,
    `Commit:     ${person.name} <${person.email}>`,
    `CommitDate: ${at}`,
    "",
    `    ${message}`,
    "",
    `12\t3\t${path}`,
    "",
  ].join("\n");
}

export interface SeedResult {
  personA: number;
  personB: number;
  /** Worklog ids accepted from a suggestion, per person. */
  acceptedA: number;
  acceptedB: number;
}

/**
 * Imports two people through the real Jira and git importers, links, allocates
 * SEED_FROM to SEED_TO and accepts one suggestion of each. A is PROJ-1's assignee and
 * comments on it; B reports PROJ-1 and names A in a commit message and in PROJ-1's
 * description, so A's name also sits in text that belongs to others.
 */
export async function seedTwoPeople(store: Store): Promise<SeedResult> {
  const folder = mkdtempSync(join(tmpdir(), "worklens-governance-seed-"));
  try {
    const issues = {
      startAt: 0,
      maxResults: 50,
      total: 2,
      issues: [
        {
          id: "20001",
          key: "PROJ-1",
          fields: {
            summary: "Flux capacitor drifts under load",
            description: `Reported by ${PERSON_B.name}; ask ${PERSON_A.name} (${PERSON_A.email}) for the calibration notes.`,
            created: "2025-03-01T09:00:00.000+0000",
            updated: "2025-03-11T09:00:00.000+0000",
            status: { name: "In Progress" },
            issuetype: { name: "Bug", subtask: false },
            project: { key: "PROJ" },
            assignee: jiraUser(PERSON_A),
            reporter: jiraUser(PERSON_B),
            comment: { startAt: 0, maxResults: 50, total: 1, comments: [{ id: "30001", author: jiraUser(PERSON_A), body: `I am on it. ${PERSON_A.name}`, created: "2025-03-10T08:00:00.000+0000" }] },
            worklog: { startAt: 0, maxResults: 20, total: 1, worklogs: [{ id: "40001", author: jiraUser(PERSON_A), started: "2025-03-03T09:00:00.000+0000", timeSpentSeconds: 3600, comment: "Investigated the drift" }] },
          },
        },
        {
          id: "20002",
          key: "PROJ-2",
          fields: {
            summary: "Sprocket tangles at startup",
            description: "Happens on cold boots.",
            created: "2025-03-01T10:00:00.000+0000",
            updated: "2025-03-11T10:00:00.000+0000",
            status: { name: "In Progress" },
            issuetype: { name: "Bug", subtask: false },
            project: { key: "PROJ" },
            assignee: jiraUser(PERSON_B),
            reporter: jiraUser(PERSON_B),
          },
        },
      ],
    };
    const issuesFile = join(folder, "issues.json");
    writeFileSync(issuesFile, JSON.stringify(issues));
    await importJira(store, issuesFile);

    const log = [
      commit("a".repeat(40), PERSON_A, "2025-03-10T10:00:00+00:00", `PROJ-1 ${A_COMMIT_TEXT}`, "src/flux.ts"),
      commit("b".repeat(40), PERSON_A, "2025-03-10T11:30:00+00:00", `PROJ-1 ${A_COMMIT_TEXT} again`, "src/flux.ts"),
      commit("c".repeat(40), PERSON_B, "2025-03-10T13:00:00+00:00", `PROJ-2 ${B_COMMIT_TEXT}, paired with ${PERSON_A.name}`, "src/sprocket.ts"),
      commit("d".repeat(40), PERSON_B, "2025-03-10T15:00:00+00:00", `PROJ-2 ${B_COMMIT_TEXT} more`, "src/sprocket.ts"),
    ].join("\n");
    const logFile = join(folder, "git-log.txt");
    writeFileSync(logFile, log);
    await importGit(store, logFile);

    await runLinking(store);
    await runAllocation(store, { from: SEED_FROM, to: SEED_TO });

    const people = await store.people.list();
    const personA = people.find((p) => p.identities.some((i) => i.externalId === PERSON_A.email))?.id;
    const personB = people.find((p) => p.identities.some((i) => i.externalId === PERSON_B.email))?.id;
    if (personA === undefined || personB === undefined) throw new Error("seed: git identities of A and B were not stored");

    const suggestions = await store.results.suggestions(SEED_FROM, SEED_TO);
    const accept = async (personId: number): Promise<number> => {
      const suggestion = suggestions.find((s) => s.personId === personId && s.issueId !== null);
      if (suggestion === undefined) throw new Error(`seed: no linked suggestion for person ${String(personId)}`);
      const outcome = await acceptSuggestion(store, { personId, day: suggestion.day, issueId: suggestion.issueId }, {}, { decidedBy: `person:${String(personId)}`, now: Date.UTC(2025, 2, 12, 18) });
      return outcome.worklogId;
    };
    return { personA, personB, acceptedA: await accept(personA), acceptedB: await accept(personB) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
