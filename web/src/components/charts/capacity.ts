/**
 * Shapes of GET /teams/{id}/capacity and the turn from its weeks into chart rows. The
 * server already applies the minimum group size: weeks with too few people have null
 * totals, and small cells of a breakdown arrive merged in `small`. Nothing here may
 * split those numbers back up.
 */

export interface ShownCell {
  label: string;
  seconds: number;
  people: number;
}

export interface SmallCellBucket {
  label: string;
  seconds: number;
  cells: number;
}

export interface SuppressedBreakdown {
  cells: ShownCell[];
  small: SmallCellBucket | null;
}

export interface CapacityTotals {
  contributors: number;
  committedSeconds: number;
  suggestedSeconds: number;
  confirmedSeconds: number;
  byProject: SuppressedBreakdown;
  byEpic: SuppressedBreakdown;
  byIssueType: SuppressedBreakdown;
  byCategory: SuppressedBreakdown;
  linkedVersusUnlinked: SuppressedBreakdown;
  /** Added with the cost category rules; older servers leave it out. */
  byCostCategory?: SuppressedBreakdown;
}

export interface CapacityWeek {
  week: string;
  from: string;
  to: string;
  totals: CapacityTotals | null;
}

export interface TeamCapacity {
  team: { id: number; name: string };
  minGroupSize: number;
  from: string;
  to: string;
  weeks: CapacityWeek[];
}

export type BreakdownKey = "byProject" | "byEpic" | "byIssueType" | "byCostCategory" | "byCategory" | "linkedVersusUnlinked";

/** The CSV export's name for each breakdown (GET /teams/{id}/capacity.csv?breakdown=). */
export type CsvBreakdown = "project" | "epic" | "issueType" | "costCategory" | "workKind" | "linked" | "commitment";

/** Most series one chart shows; more groups are summed into "Other". */
export const MAX_SERIES = 8;
export const OTHER_SERIES = "Other";

/** One bar of a chart: the week and hours per series; `gap` marks a week shown without numbers. */
export interface ChartRow {
  week: string;
  from: string;
  gap: boolean;
  values: Record<string, number>;
}

export interface StackedData {
  series: string[];
  rows: ChartRow[];
}

export function hours(seconds: number): number {
  return Math.round((seconds / 3600) * 100) / 100;
}

export function formatHours(value: number): string {
  return `${value.toFixed(1)}h`;
}

/**
 * Rows of a stacked chart for one breakdown. The server's "fewer than N people" bucket
 * stays its own series, named as the server names it, because it already is a merge made
 * for privacy and must not be mixed with other groups. Of the groups the server showed,
 * the MAX_SERIES - 1 largest over the whole range keep their own series and the rest are
 * summed into "Other" here, only to keep the chart readable; when there are MAX_SERIES or
 * fewer, nothing is merged.
 */
export function stackedRows(weeks: readonly CapacityWeek[], key: BreakdownKey): StackedData {
  const totals = new Map<string, number>();
  const smallLabels = new Set<string>();
  for (const week of weeks) {
    const breakdown = week.totals?.[key];
    if (breakdown === undefined) continue;
    for (const cell of breakdown.cells) totals.set(cell.label, (totals.get(cell.label) ?? 0) + cell.seconds);
    if (breakdown.small !== null) smallLabels.add(breakdown.small.label);
  }
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label]) => label);
  const kept = ranked.length <= MAX_SERIES ? ranked : ranked.slice(0, MAX_SERIES - 1);
  const keptSet = new Set(kept);
  const merged = ranked.length > kept.length;

  const rows = weeks.map((week): ChartRow => {
    const breakdown = week.totals?.[key];
    const values: Record<string, number> = {};
    if (breakdown !== undefined) {
      for (const cell of breakdown.cells) {
        const series = keptSet.has(cell.label) ? cell.label : OTHER_SERIES;
        values[series] = (values[series] ?? 0) + cell.seconds;
      }
      if (breakdown.small !== null) values[breakdown.small.label] = (values[breakdown.small.label] ?? 0) + breakdown.small.seconds;
    }
    for (const series of Object.keys(values)) values[series] = hours(values[series] ?? 0);
    return { week: week.week, from: week.from, gap: week.totals === null, values };
  });
  return { series: [...kept, ...(merged ? [OTHER_SERIES] : []), ...smallLabels], rows };
}

/** Rows of the capacity-versus-commitment chart: committed, suggested and confirmed hours per week. */
export function commitmentRows(weeks: readonly CapacityWeek[]): StackedData {
  const rows = weeks.map((week): ChartRow => {
    const totals = week.totals;
    const values: Record<string, number> =
      totals === null ? {} : { Committed: hours(totals.committedSeconds), Suggested: hours(totals.suggestedSeconds), Confirmed: hours(totals.confirmedSeconds) };
    return { week: week.week, from: week.from, gap: totals === null, values };
  });
  return { series: ["Committed", "Suggested", "Confirmed"], rows };
}

/** Monday of the ISO week of a YYYY-MM-DD day, computed in UTC so the browser's zone cannot shift it. */
export function mondayOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function isDay(value: string | null): value is string {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** The default range: the 12 ISO weeks that end with the week of `lastDay`. */
export function twelveWeeksEnding(lastDay: string): { from: string; to: string } {
  const monday = mondayOf(lastDay);
  return { from: addDays(monday, -11 * 7), to: addDays(monday, 6) };
}
