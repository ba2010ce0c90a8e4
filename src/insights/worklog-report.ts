import type { Evidence } from "../domain/types.js";
import type { Store } from "../store/store.js";

export interface WorklogRow {
  personId: number;
  person: string;
  day: string;
  issueKey: string | null;
  project: string | null;
  seconds: number;
  confidence: number;
  evidence: Evidence[];
}

export interface WorklogSummary {
  people: number;
  personDays: number;
  days: number;
  totalSeconds: number;
  linkedSeconds: number;
  /** linkedSeconds / totalSeconds, 0 when nothing was worked. */
  linkedShare: number;
  secondsByProject: { project: string; seconds: number }[];
}

/** Stored suggestions of a day range, joined with issue keys and person names. */
export async function loadWorklogRows(store: Store, from?: string, to?: string): Promise<WorklogRow[]> {
  const suggestions = await store.results.suggestions(from, to);
  const issues = new Map((await store.issues.list()).map((i) => [i.id, i]));
  const people = new Map((await store.people.list()).map((p) => [p.id, p]));
  return suggestions.map((s) => {
    const issue = s.issueId === null ? undefined : issues.get(s.issueId);
    const person = people.get(s.personId);
    return {
      personId: s.personId,
      person: person?.displayName ?? person?.email ?? `person ${s.personId}`,
      day: s.day,
      issueKey: issue?.key ?? null,
      project: issue?.projectKey ?? null,
      seconds: s.seconds,
      confidence: s.confidence,
      evidence: s.evidence,
    };
  });
}

export function summarize(rows: readonly WorklogRow[]): WorklogSummary {
  const people = new Set<number>();
  const personDays = new Set<string>();
  const days = new Set<string>();
  const byProject = new Map<string, number>();
  let total = 0;
  let linked = 0;
  for (const row of rows) {
    people.add(row.personId);
    personDays.add(`${row.personId}|${row.day}`);
    days.add(row.day);
    total += row.seconds;
    const project = row.project ?? "(unlinked)";
    byProject.set(project, (byProject.get(project) ?? 0) + row.seconds);
    if (row.issueKey !== null) linked += row.seconds;
  }
  return {
    people: people.size,
    personDays: personDays.size,
    days: days.size,
    totalSeconds: total,
    linkedSeconds: linked,
    linkedShare: total === 0 ? 0 : Math.round((linked / total) * 1000) / 1000,
    secondsByProject: [...byProject].map(([project, seconds]) => ({ project, seconds })).sort((a, b) => b.seconds - a.seconds),
  };
}
