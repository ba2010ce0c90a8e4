import type { Store } from "../../store/store.js";

export interface Seeded {
  personId: number;
  otherPersonId: number;
  issueIds: Map<string, number>;
}

/**
 * Two people, three issues and suggestions for 2025-03-10: PROJ-1 (2 h, confident,
 * with evidence at 08:15 Berlin time), PROJ-2 (30 min, unsure) and unlinked time.
 */
export async function seedSuggestions(store: Store): Promise<Seeded> {
  const { personId } = await store.people.resolve({ source: "jira", externalId: "acc-dev", displayName: "Dev One", email: "dev@example.com", tz: "Europe/Berlin" });
  await store.people.setTimeZone(personId, "Europe/Berlin");
  const other = await store.people.resolve({ source: "jira", externalId: "acc-other", displayName: "Other Person", email: "other@example.com" });
  for (const [n, key] of ["PROJ-1", "PROJ-2", "PROJ-3"].entries()) {
    await store.issues.upsert(
      { sourceId: String(10_000 + n), key, projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: `Issue ${key}`, description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
  }
  const issueIds = await store.issues.idsByKey();
  const id = (key: string) => {
    const found = issueIds.get(key);
    if (found === undefined) throw new Error(`seed issue ${key} missing`);
    return found;
  };
  await store.results.replaceSuggestions("2025-03-10", "2025-03-10", [
    { personId, day: "2025-03-10", issueId: id("PROJ-1"), seconds: 7200, confidence: 0.95, evidence: [{ kind: "commit", detail: "2 commits", at: Date.parse("2025-03-10T07:15:00Z") }] },
    { personId, day: "2025-03-10", issueId: id("PROJ-2"), seconds: 1800, confidence: 0.4, evidence: [] },
    { personId, day: "2025-03-10", issueId: null, seconds: 2700, confidence: 0, evidence: [] },
    { personId: other.personId, day: "2025-03-10", issueId: id("PROJ-1"), seconds: 3600, confidence: 0.9, evidence: [] },
  ]);
  return { personId, otherPersonId: other.personId, issueIds };
}
