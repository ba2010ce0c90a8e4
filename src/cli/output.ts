import type { ImportReport } from "../domain/types.js";

/** Most skipped records listed one by one after an import; the rest are counted per reason. */
const MAX_LISTED_SKIPS = 10;

export function formatImportReport(report: ImportReport): string {
  const lines = [
    `${report.source} ${report.file}: ${report.imported} imported, ${report.duplicate} duplicate, ${report.skipped.length} skipped`,
    ...(report.details ?? []).map((detail) => `  ${detail}`),
  ];
  const byReason = new Map<string, number>();
  for (const skip of report.skipped) byReason.set(skip.reason, (byReason.get(skip.reason) ?? 0) + 1);
  for (const skip of report.skipped.slice(0, MAX_LISTED_SKIPS)) lines.push(`  skipped ${skip.record}: ${skip.reason}`);
  if (report.skipped.length > MAX_LISTED_SKIPS) {
    lines.push(`  ... ${report.skipped.length - MAX_LISTED_SKIPS} more skipped; by reason:`);
    for (const [reason, count] of [...byReason].sort((a, b) => b[1] - a[1])) lines.push(`    ${count} × ${reason}`);
  }
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  return lines.join("\n") + "\n";
}
