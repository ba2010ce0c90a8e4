import { personAt, type Simulation } from "./model.js";

/** True working time of one person on one local day: on one issue, or unlinked when `issueKey` is null. */
export interface TruthRow {
  personEmail: string;
  /** Local day in the person's zone, YYYY-MM-DD. */
  day: string;
  issueKey: string | null;
  seconds: number;
}

/** Sums the simulation's work intervals per person, local day and issue, sorted by day, person and issue. */
export function truthRows(simulation: Simulation): TruthRow[] {
  const sums = new Map<string, TruthRow>();
  for (const interval of simulation.intervals) {
    const email = personAt(simulation.people, interval.person).email;
    const id = `${interval.day}|${email}|${interval.issueKey ?? ""}`;
    const row = sums.get(id) ?? { personEmail: email, day: interval.day, issueKey: interval.issueKey, seconds: 0 };
    row.seconds += Math.round((interval.end - interval.start) / 1000);
    sums.set(id, row);
  }
  return [...sums.values()].sort(compareTruth);
}

export function compareTruth(a: TruthRow, b: TruthRow): number {
  return a.day.localeCompare(b.day) || a.personEmail.localeCompare(b.personEmail) || (a.issueKey ?? "").localeCompare(b.issueKey ?? "");
}

/** Writes truth rows as CSV with a header; unlinked time has an empty issue key. */
export function truthCsv(rows: readonly TruthRow[]): string {
  const lines = ["person_email,day,issue_key,true_seconds", ...rows.map((r) => `${r.personEmail},${r.day},${r.issueKey ?? ""},${r.seconds}`)];
  return `${lines.join("\n")}\n`;
}

/** Returns the key under which truth and suggestions are compared. */
export function truthKey(personEmail: string, day: string, issueKey: string | null): string {
  return `${personEmail.toLowerCase()}|${day}|${issueKey ?? ""}`;
}
