import { adfToText } from "./adf.js";

/** Grapheme clusters are what a reader sees as one character: "👩‍💻" is one cluster of five UTF-16 code units. */
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/**
 * Cuts text to at most `max` grapheme clusters, so an emoji sequence, a flag or a
 * letter with combining marks is kept whole or dropped whole, never split.
 */
export function truncateGraphemes(text: string, max: number): string {
  if (max <= 0) return "";
  // Every cluster takes at least one code unit, so a text this short has at most `max` clusters.
  if (text.length <= max) return text;

  let count = 0;
  for (const { index } of graphemes.segment(text)) {
    if (count === max) return text.slice(0, index);
    count += 1;
  }
  return text;
}

/** Like truncateGraphemes, but ends a cut text with "…" within the same `max` clusters. */
export function abbreviate(text: string, max: number): string {
  const cut = truncateGraphemes(text, max);
  return cut === text ? text : `${truncateGraphemes(cut, max - 1)}…`;
}

/** Plain text of a Jira rich-text value: v2 returns a string, v3 an ADF document, and empty values are null. */
export function richText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return adfToText(value);
}
