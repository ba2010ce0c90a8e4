import { stringify } from "csv-stringify/sync";
import type { WorklogRow } from "./worklog-report.js";

export type ReportFormat = "table" | "csv" | "json";

export const CSV_COLUMNS = ["person_id", "person", "day", "issue_key", "project", "seconds", "hours", "confidence", "evidence"] as const;

export function hours(seconds: number): string {
  return (seconds / 3600).toFixed(2);
}

export function toCsv(rows: readonly WorklogRow[]): string {
  return stringify(
    rows.map((r) => [
      r.personId,
      r.person,
      r.day,
      r.issueKey ?? "",
      r.project ?? "",
      r.seconds,
      hours(r.seconds),
      r.confidence.toFixed(3),
      r.evidence.map((e) => e.detail).join("; "),
    ]),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

export function toJson(rows: readonly WorklogRow[]): string {
  const withHours = rows.map((r) => ({ ...r, hours: Number(hours(r.seconds)) }));
  return `${JSON.stringify(withHours, null, 2)}\n`;
}

/** A plain-text table with aligned columns. */
export function toTable(rows: readonly WorklogRow[]): string {
  const header = ["day", "person", "issue", "hours", "confidence", "top evidence"];
  const body = rows.map((r) => [r.day, r.person, r.issueKey ?? "(unlinked)", hours(r.seconds), r.confidence.toFixed(2), r.evidence[0]?.detail ?? ""]);
  return renderTable(header, body);
}

export function renderTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n";
}

export function formatRows(rows: readonly WorklogRow[], format: ReportFormat): string {
  switch (format) {
    case "csv":
      return toCsv(rows);
    case "json":
      return toJson(rows);
    case "table":
      return toTable(rows);
  }
}
