import { createHash } from "node:crypto";
import type { SkippedRecord } from "../parse-result.js";
import { firstProperty, formatProperty, type Component } from "./components.js";

/** The VEVENT blocks that share one UID: a series or single event, and its moved instances. */
export interface EventGroup {
  /** The UID, or "no-uid-" and a content hash for an event without one. */
  uid: string;
  /** Series blocks first, then RECURRENCE-ID blocks, so node-ical reads the series before its instances. */
  blocks: Component[];
  lineNumber: number;
}

/**
 * Group VEVENT blocks by UID. A block without an END line is skipped, because a
 * file cut short may have lost the rest of its properties.
 */
export function groupEvents(events: readonly Component[]): { groups: EventGroup[]; skipped: SkippedRecord[] } {
  const byUid = new Map<string, EventGroup>();
  const skipped: SkippedRecord[] = [];

  for (const block of events) {
    const uid = firstProperty(block, "UID")?.value.trim() || contentUid(block);
    if (!block.closed) {
      skipped.push({
        record: `event ${uid} (line ${block.lineNumber})`,
        reason: "it has no END:VEVENT line, so the file looks cut short: export the calendar again",
      });
      continue;
    }

    const group = byUid.get(uid);
    if (group === undefined) byUid.set(uid, { uid, blocks: [block], lineNumber: block.lineNumber });
    else group.blocks.push(block);
  }

  const groups = [...byUid.values()];
  for (const group of groups) {
    group.blocks.sort((a, b) => Number(isMovedInstance(a)) - Number(isMovedInstance(b)));
  }
  return { groups, skipped };
}

export function isMovedInstance(block: Component): boolean {
  return firstProperty(block, "RECURRENCE-ID") !== undefined;
}

/**
 * Derive a stable id for an event without a UID, which RFC 5545 requires but some
 * exporters omit. It hashes the event's properties except DTSTAMP, because
 * exporters set DTSTAMP to the export time.
 */
function contentUid(block: Component): string {
  const hash = createHash("sha256");
  for (const property of block.properties) {
    if (property.name !== "DTSTAMP") hash.update(`${formatProperty(property)}\n`);
  }
  return `no-uid-${hash.digest("hex").slice(0, 16)}`;
}
