import { MS_PER_MINUTE } from "../domain/time.js";

/**
 * Heartbeats to time, the way WakaTime counts it. A heartbeat is an instant at which
 * an editor reported activity; time lies only between heartbeats:
 *
 * - All heartbeats of one person are sorted by time across every machine and counted
 *   as one stream, so two machines that report the same minute count it once.
 * - The gap from a heartbeat to the next one counts as time when it is at most the
 *   timeout. That segment belongs to the label of the heartbeat that starts it.
 * - A gap longer than the timeout counts nothing and ends the session. A lone
 *   heartbeat, and the time before the first or after the last one, count nothing.
 * - Heartbeats at the same instant leave a gap of zero between them, so the instant
 *   is counted once. The last of them in sort order starts the next segment: a
 *   labelled heartbeat sorts after an unlabelled one, and labels sort by code unit,
 *   so the choice is arbitrary but the same on every run.
 *
 * Source: WakaTime's FAQ on the timeout preference (https://wakatime.com/faq#timeout,
 * read as quoted in public issue threads) describes the timeout as the maximum time
 * between heartbeats that is joined into coding time. It affects only the time between
 * heartbeats, not the time around them. WakaTime's maintainer gives the default as
 * 15 minutes.
 */

/** WakaTime's default timeout: gaps up to 15 minutes between heartbeats count as time. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 15 * MS_PER_MINUTE;

export interface HeartbeatPoint {
  /** Epoch milliseconds. */
  at: number;
  /** Issue id, or null for time not linked to any issue. */
  label: string | null;
  machine?: string | null;
}

/** A counted span [start, end) in epoch milliseconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

export interface LabelledSpan extends TimeSpan {
  label: string | null;
}

/**
 * Turn one person's heartbeats into counted segments, sorted and disjoint. Adjacent
 * segments with the same label are joined. Throws a RangeError for a negative or
 * non-finite timeout or a non-finite heartbeat time.
 */
export function heartbeatSegments(beats: readonly HeartbeatPoint[], timeoutMs: number): LabelledSpan[] {
  assertTimeout(timeoutMs);
  const sorted = sortBeats(beats);
  const segments: LabelledSpan[] = [];

  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const current = sorted[i];
    const next = sorted[i + 1];
    if (current === undefined || next === undefined) continue;

    const gap = next.at - current.at;
    if (gap === 0 || gap > timeoutMs) continue;

    const last = segments.at(-1);
    if (last !== undefined && last.end === current.at && last.label === current.label) {
      last.end = next.at;
    } else {
      segments.push({ start: current.at, end: next.at, label: current.label });
    }
  }
  return segments;
}

/** Sessions of one person's heartbeats: the counted segments joined where they touch, labels ignored. */
export function sessionsOf(
  beats: readonly HeartbeatPoint[],
  timeoutMs: number = DEFAULT_HEARTBEAT_TIMEOUT_MS,
): TimeSpan[] {
  const sessions: TimeSpan[] = [];
  for (const segment of heartbeatSegments(beats, timeoutMs)) {
    const last = sessions.at(-1);
    if (last !== undefined && last.end === segment.start) last.end = segment.end;
    else sessions.push({ start: segment.start, end: segment.end });
  }
  return sessions;
}

/** Total length of spans in milliseconds. Overlapping spans are summed as given. */
export function totalDuration(spans: readonly TimeSpan[]): number {
  let total = 0;
  for (const span of spans) total += span.end - span.start;
  return total;
}

function sortBeats(beats: readonly HeartbeatPoint[]): HeartbeatPoint[] {
  for (const beat of beats) {
    if (!Number.isFinite(beat.at)) throw new RangeError(`heartbeat time ${beat.at} is not a finite number of milliseconds`);
  }
  return [...beats].sort(
    (a, b) => a.at - b.at || compareLabels(a.label, b.label) || compareText(a.machine ?? "", b.machine ?? ""),
  );
}

function compareLabels(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareText(a, b);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function assertTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`heartbeat timeout ${timeoutMs} ms is invalid: use a finite number of milliseconds >= 0`);
  }
}
