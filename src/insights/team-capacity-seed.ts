import type { ActivityInput, SuggestionRecord } from "../domain/types.js";
import { importActivities } from "../ingest/import-activities.js";
import type { Store } from "../store/store.js";

/** Monday of the seeded week, ISO week 2025-W11. */
export const SEED_WEEK = { from: "2025-03-10", to: "2025-03-16" } as const;

export interface SeededTeam {
  teamId: number;
  /** The six members p1 to p6, in order. */
  people: number[];
}

function activity(email: string, uid: string, kind: ActivityInput["kind"], start: string, end: string, extra: Partial<ActivityInput> = {}): ActivityInput {
  return {
    sourceUid: uid,
    source: kind === "commit" ? "git" : "ics",
    kind,
    actor: { source: kind === "commit" ? "git" : "ics", externalId: email, email },
    startAt: Date.parse(start),
    endAt: Date.parse(end),
    tz: "UTC",
    dateOnly: false,
    explicitKeys: [],
    text: {},
    ...extra,
  };
}

/**
 * Seeds a team of six people, p1 to p6, for capacity tests in week 2025-W11.
 *
 * Commitments: p1, p4, p5 and p6 work full time (Monday to Friday, 8 h), p2 half time, and
 * p3 Monday to Thursday 6 h. p1 is out of office all of Wednesday, so 196 h are committed.
 *
 * Suggestions on Monday: PROJ-1 (project PROJ, epic PROJ-100, Bug) 2 h for everyone, from a
 * commit. WEB-1 (project WEB, Story) 1 h for p2 to p6, from a meeting. OTHER-1 (project
 * OTHER, Task) 3 h and 30 min of unlinked time for p1 alone, without evidence.
 *
 * Confirmed: 2 h on PROJ-1 each for p4 and p5. The next week, 2025-W12, has PROJ-1 1 h for p1 to p3 only.
 */
export async function seedCapacityTeam(store: Store, options: { teamName?: string; managerPersonId?: number | null } = {}): Promise<SeededTeam> {
  const issues = [
    { key: "PROJ-1", projectKey: "PROJ", issueType: "Bug", epicKey: "PROJ-100" },
    { key: "WEB-1", projectKey: "WEB", issueType: "Story", epicKey: null },
    { key: "OTHER-1", projectKey: "OTHER", issueType: "Task", epicKey: null },
  ];
  for (const [n, issue] of issues.entries()) {
    await store.issues.upsert(
      { sourceId: String(30_000 + n), key: issue.key, projectKey: issue.projectKey, issueType: issue.issueType, epicKey: issue.epicKey ?? undefined, isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: issue.key, description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
  }
  const ids = await store.issues.idsByKey();
  const issueId = (key: string): number => {
    const id = ids.get(key);
    if (id === undefined) throw new Error(`seed issue ${key} missing`);
    return id;
  };

  const emails = [1, 2, 3, 4, 5, 6].map((n) => `p${String(n)}@example.com`);
  const records: ActivityInput[] = [];
  for (const [i, email] of emails.entries()) {
    records.push(activity(email, `commit-${String(i)}`, "commit", "2025-03-10T10:00:00Z", "2025-03-10T10:00:00Z"));
    if (i > 0) records.push(activity(email, `meeting-${String(i)}`, "meeting", "2025-03-10T14:00:00Z", "2025-03-10T15:00:00Z"));
  }
  records.push(activity(emails[0] ?? "", "ooo-0", "out_of_office", "2025-03-12T00:00:00Z", "2025-03-13T00:00:00Z", { dateOnly: true, localDate: "2025-03-12", localEndDate: "2025-03-13" }));
  await importActivities(store, { records, skipped: [], warnings: [] }, { source: "seed", file: "seed" });

  const people: number[] = [];
  for (const email of emails) {
    const found = (await store.people.findIdentity("git", email)) ?? (await store.people.findIdentity("ics", email));
    if (found === undefined) throw new Error(`seed person ${email} missing`);
    people.push(found.personId);
  }
  const activities = await store.activities.list();
  const activityOf = (personId: number, kind: string): number => {
    const found = activities.find((a) => a.personId === personId && a.kind === kind);
    if (found === undefined) throw new Error(`seed ${kind} of person ${String(personId)} missing`);
    return found.id;
  };

  const team = await store.teams.create({ name: options.teamName ?? "platform", managerPersonId: options.managerPersonId ?? null });
  const full = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };
  for (const [i, personId] of people.entries()) {
    let commitment = full;
    if (i === 1) commitment = { ...full, share: 0.5 };
    if (i === 2) commitment = { ...full, workingDays: [1, 2, 3, 4], hoursPerDay: 6 };
    await store.teams.setMember(team.id, personId, commitment);
  }

  const day = SEED_WEEK.from;
  const suggestions: SuggestionRecord[] = [];
  for (const [i, personId] of people.entries()) {
    suggestions.push({ personId, day, issueId: issueId("PROJ-1"), seconds: 7200, confidence: 0.9, evidence: [{ kind: "commit", detail: "1 commit", activityId: activityOf(personId, "commit") }] });
    if (i > 0) suggestions.push({ personId, day, issueId: issueId("WEB-1"), seconds: 3600, confidence: 0.6, evidence: [{ kind: "meeting", detail: "1 meeting", activityId: activityOf(personId, "meeting") }] });
  }
  const first = people[0] ?? 0;
  suggestions.push({ personId: first, day, issueId: issueId("OTHER-1"), seconds: 3 * 3600, confidence: 0.5, evidence: [] });
  suggestions.push({ personId: first, day, issueId: null, seconds: 1800, confidence: 0, evidence: [] });
  for (const personId of people.slice(0, 3)) suggestions.push({ personId, day: "2025-03-17", issueId: issueId("PROJ-1"), seconds: 3600, confidence: 0.9, evidence: [] });
  await store.results.replaceSuggestions(SEED_WEEK.from, "2025-03-23", suggestions);

  for (const personId of people.slice(3, 5)) {
    await store.worklogs.insertConfirmed({ issueId: issueId("PROJ-1"), personId, startedAt: Date.parse("2025-03-10T09:00:00Z"), tz: "UTC", day, seconds: 7200, comment: null });
  }
  return { teamId: team.id, people };
}
