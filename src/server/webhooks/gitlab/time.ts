import { isPlausibleInstant, parseOffsetInstant, type ParsedInstant } from "../../../domain/time.js";

/** "2013-12-03 17:23:34 UTC" or "2013-12-03 17:23:34 +0100": the Ruby form older GitLab payloads use for created_at and updated_at. */
const RUBY_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (UTC|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a GitLab timestamp. Push commits carry ISO 8601 with an offset; merge request
 * and note attributes carry ISO 8601 or the Ruby form, depending on the GitLab version.
 * Returns undefined for anything else and for instants outside 1990-2100.
 */
export function parseGitlabTime(text: string): ParsedInstant | undefined {
  const ruby = RUBY_TIME.exec(text.trim());
  const iso = ruby === null ? text : `${ruby[1] ?? ""}T${ruby[2] ?? ""}${ruby[3] === "UTC" ? "Z" : (ruby[3] ?? "")}`;
  const parsed = parseOffsetInstant(iso);
  return parsed !== undefined && isPlausibleInstant(parsed.instant) ? parsed : undefined;
}
