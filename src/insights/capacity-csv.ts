import { stringify } from "csv-stringify/sync";
import type { SuppressedBreakdown } from "../privacy/min-group.js";
import { hours } from "./format.js";
import type { CapacityWeek, TeamCapacity } from "./team-capacity.js";

/** Breakdowns of the capacity view a CSV export can hold, by their names in the export's `breakdown` parameter. */
export const CAPACITY_CSV_BREAKDOWNS = ["project", "epic", "issueType", "costCategory", "workKind", "linked", "commitment"] as const;
export type CapacityCsvBreakdown = (typeof CAPACITY_CSV_BREAKDOWNS)[number];

type Totals = NonNullable<CapacityWeek["totals"]>;
type GroupBreakdown = Exclude<CapacityCsvBreakdown, "commitment">;
type BreakdownField = { [K in keyof Totals]: Totals[K] extends SuppressedBreakdown ? K : never }[keyof Totals];

/** The field of a week's totals behind each grouped breakdown; a Record, so a new breakdown name fails to compile until it is mapped. */
const TOTALS_FIELD: Readonly<Record<GroupBreakdown, BreakdownField>> = {
  project: "byProject",
  epic: "byEpic",
  issueType: "byIssueType",
  costCategory: "byCostCategory",
  workKind: "byCategory",
  linked: "linkedVersusUnlinked",
};

export const GROUP_CSV_COLUMNS = ["week", "from", "to", "group", "hours", "people", "note"] as const;
export const COMMITMENT_CSV_COLUMNS = ["week", "from", "to", "committed_hours", "suggested_hours", "confirmed_hours", "people", "note"] as const;

/**
 * Renders one breakdown of a capacity view as CSV, with hours to 2 decimals. A grouped
 * breakdown has one row per week and group, with the "fewer than N people" bucket as its
 * own row exactly as the JSON view merged it, so the export reveals nothing the view
 * hides. "commitment" has one row per week with committed, suggested and confirmed
 * hours. A week without numbers keeps its row, with empty values and the reason in
 * `note`. Cells that start like a spreadsheet formula are prefixed with "'".
 */
export function capacityCsv(capacity: TeamCapacity, breakdown: CapacityCsvBreakdown): string {
  if (breakdown === "commitment") {
    return stringify(capacity.weeks.map((week) => commitmentRow(week, capacity.minGroupSize)), { header: true, columns: [...COMMITMENT_CSV_COLUMNS], escape_formulas: true });
  }
  const field = TOTALS_FIELD[breakdown];
  const rows = capacity.weeks.flatMap((week) => groupRows(week, capacity.minGroupSize, (totals) => totals[field]));
  return stringify(rows, { header: true, columns: [...GROUP_CSV_COLUMNS], escape_formulas: true });
}

/** File name of an export, such as "capacity-3-costCategory-2025-03-10-2025-03-23.csv". */
export function capacityCsvFileName(capacity: TeamCapacity, breakdown: CapacityCsvBreakdown): string {
  return `capacity-${String(capacity.team.id)}-${breakdown}-${capacity.from}-${capacity.to}.csv`;
}

function hiddenWeekNote(minGroupSize: number): string {
  return `not shown: fewer than ${String(minGroupSize)} people had time this week`;
}

function groupRows(week: CapacityWeek, minGroupSize: number, pick: (totals: Totals) => SuppressedBreakdown): string[][] {
  const start = [week.week, week.from, week.to];
  if (week.totals === null) return [[...start, "", "", "", hiddenWeekNote(minGroupSize)]];

  const groups = pick(week.totals);
  const rows = groups.cells.map((cell) => [...start, cell.label, hours(cell.seconds), String(cell.people), ""]);
  if (groups.small !== null) {
    const note = `${String(groups.small.cells)} groups merged so that no group of fewer than ${String(minGroupSize)} people can be read`;
    rows.push([...start, groups.small.label, hours(groups.small.seconds), "", note]);
  }
  if (rows.length === 0) rows.push([...start, "", "", "", "no suggested time this week"]);
  return rows;
}

function commitmentRow(week: CapacityWeek, minGroupSize: number): string[] {
  const start = [week.week, week.from, week.to];
  const totals = week.totals;
  if (totals === null) return [...start, "", "", "", "", hiddenWeekNote(minGroupSize)];
  return [...start, hours(totals.committedSeconds), hours(totals.suggestedSeconds), hours(totals.confirmedSeconds), String(totals.contributors), ""];
}
