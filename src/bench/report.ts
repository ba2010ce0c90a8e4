import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface Table {
  headers: string[];
  rows: string[][];
  /** Column alignment; numbers read best right-aligned. Default left for the first column, right for the rest. */
  align?: ("left" | "right")[];
}

/** One benchmark's part of the report. */
export interface Section {
  title: string;
  /** Markdown paragraphs and tables, in order. */
  blocks: (string | Table)[];
}

/**
 * Line that separates the hand-written introduction of the report from the part a
 * benchmark run writes. Everything above it is kept on every run.
 */
export const GENERATED_MARKER = "<!-- Everything below this line is written by `npm run bench`; edit the text above it. -->";

const DEFAULT_INTRO = "# Benchmarks\n\nNumbers measured by `npm run bench` (source in `src/bench/`).\n";

export function renderTable(table: Table): string {
  const align = table.headers.map((_, i) => table.align?.[i] ?? (i === 0 ? "left" : "right"));
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const lines = [
    `| ${table.headers.map(escape).join(" | ")} |`,
    `| ${align.map((a) => (a === "right" ? "---:" : "---")).join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ];
  return lines.join("\n");
}

export function renderSections(sections: readonly Section[]): string {
  return sections
    .map((section) => [`## ${section.title}`, ...section.blocks.map((b) => (typeof b === "string" ? b : renderTable(b)))].join("\n\n"))
    .join("\n\n");
}

/**
 * Writes the report to `file` after the hand-written text above GENERATED_MARKER.
 * A new file starts with a default title.
 */
export async function writeReport(file: string, generated: string): Promise<void> {
  let intro = DEFAULT_INTRO;
  if (existsSync(file)) {
    const current = readFileSync(file, "utf8");
    const at = current.indexOf(GENERATED_MARKER);
    // A file without the marker is all hand-written, so all of it stays.
    intro = at >= 0 ? current.slice(0, at) : current;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${intro.trimEnd()}\n\n${GENERATED_MARKER}\n\n${generated.trim()}\n`);
}
