import { personKey } from "../activities.js";
import type { ActivityInput, IdentityInput } from "../../../domain/types.js";
import type { ParseResult } from "../../parse-result.js";
import { parseIcs, type IcsParseOptions } from "../parse.js";

/** The calendar owner in ICS tests. */
export const PERSON: IdentityInput = { source: "ics", externalId: "dev@example.com", email: "dev@example.com", displayName: "Dev One" };

/** Fixed "now" for the default expansion window: 2025-06-01T00:00Z. */
export const NOW = Date.UTC(2025, 5, 1);

/** Build a VEVENT block. DTSTAMP is added because RFC 5545 requires it. */
export function vevent(...properties: string[]): string[] {
  return ["BEGIN:VEVENT", "DTSTAMP:20250301T000000Z", ...properties, "END:VEVENT"];
}

/** Calendar bytes with CRLF line ends; `header` lines go before the blocks (X-WR-TIMEZONE and the like). */
export function calendar(blocks: string[][], header: string[] = []): Buffer {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//worklens tests//EN", ...header, ...blocks.flat(), "END:VCALENDAR", ""];
  return Buffer.from(lines.join("\r\n"), "utf8");
}

/** parseIcs with the test person, a fixed file name and NOW. */
export function parse(bytes: Buffer, options: Partial<IcsParseOptions> = {}): ParseResult<ActivityInput> {
  return parseIcs(bytes, { file: "test.ics", person: PERSON, now: NOW, ...options });
}

export function iso(instant: number): string {
  return new Date(instant).toISOString();
}

/** Start and end of each record as ISO instants, for compact assertions. */
export function spans(records: readonly ActivityInput[]): string[] {
  return records.map((record) => `${iso(record.startAt)} ${iso(record.endAt)}`);
}

/** Source-id prefix of the test person's calendar: `ics:<owner digest>`. */
export const OWNER = `ics:${personKey(PERSON)}`;
