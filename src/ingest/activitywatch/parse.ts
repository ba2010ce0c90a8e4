import { createHash } from "node:crypto";
import { extractIssueKeys } from "../../domain/issue-keys.js";
import { offsetZoneName } from "../../domain/time.js";
import type { ActivityInput, ActivityText, IdentityInput } from "../../domain/types.js";
import { emptyResult, type ParseResult } from "../parse-result.js";
import { ActivePeriods, type TimeSpan } from "./afk.js";
import { isEditorApp } from "./editor-apps.js";
import { readBucket, readBucketEntries, readEvent, type Bucket, type ExportEvent } from "./export-format.js";

export interface ActivityWatchParseOptions {
  /** File name used in messages. */
  file: string;
  /** The person whose ActivityWatch data this is, because an export names no user. */
  person: IdentityInput;
}

/** Bucket types of the stock ActivityWatch watchers that this parser reads. */
export const BUCKET_TYPES = {
  /** Editor watchers such as aw-watcher-vscode: data file, project, language, branch. */
  editor: "app.editor.activity",
  /** aw-watcher-window: data app, title. */
  window: "currentwindow",
  /** aw-watcher-afk: data status "afk" or "not-afk". */
  afk: "afkstatus",
  /** aw-watcher-web types start with this ("web.tab.current"). */
  webPrefix: "web.",
} as const;

/** Skip reasons, identical for every record of one kind so reports can count them. */
export const ACTIVITYWATCH_SKIP_REASONS = {
  badBucket: "not a bucket: expected an object with type, hostname and an events array",
  webBucket: "browser bucket: web history is not imported",
  otherBucket: "bucket type not imported: only editor, window and afk buckets are read",
  badEvent: "invalid event: expected timestamp with a UTC offset, duration in seconds >= 0 and a data object",
  implausibleTime: "event time is outside 1990-2100: check the clock of the machine that recorded it",
  badAfkEvent: 'invalid afk event: data.status must be "afk" or "not-afk"',
  zeroDuration: "zero duration: no time to import",
  missingApp: "window event without data.app",
  notEditorApp: "window of an app that is not a code editor, IDE or terminal",
  allAfk: "away from keyboard for the whole event",
} as const;

/** Values editor watchers send when they know nothing, such as aw-watcher-vscode for an image tab. */
const UNKNOWN_VALUES = new Set(["", "unknown"]);

/**
 * Parse an aw-server bucket export into `ide_session` activities, one for each editor
 * event and each window event of a code editor, IDE or terminal.
 *
 * AFK rule: when the export contains an afkstatus bucket for the event's host, only the
 * parts of the event inside that host's "not-afk" periods are kept, the way
 * ActivityWatch's own summaries intersect window events with not-afk periods. An event
 * cut in several parts yields one activity per part. An event entirely inside afk time
 * is skipped. Events of a host without an afkstatus bucket are kept whole, with a
 * warning. Throws invalidInput when the bytes are not an export at all.
 *
 * NOTE: a window event of an editor and the editor watcher's event for the same minutes
 * both become activities. Allocation must take their union, not their sum.
 */
export function parseActivityWatch(bytes: Uint8Array, options: ActivityWatchParseOptions): ParseResult<ActivityInput> {
  const result = emptyResult<ActivityInput>();
  const buckets: { id: string; bucket: Bucket }[] = [];

  for (const entry of readBucketEntries(bytes, options.file)) {
    const bucket = readBucket(entry.value);
    if (bucket === undefined) result.skipped.push({ record: bucketRecord(entry.id), reason: ACTIVITYWATCH_SKIP_REASONS.badBucket });
    else buckets.push({ id: entry.id, bucket });
  }

  const activeByHost = collectActivePeriods(buckets, result);
  const warnedHosts = new Set<string>();

  for (const { id, bucket } of buckets) {
    const kind = bucketKind(bucket.type);
    if (kind === "afk") continue;
    if (kind === "web" || kind === "other") {
      const reason = kind === "web" ? ACTIVITYWATCH_SKIP_REASONS.webBucket : ACTIVITYWATCH_SKIP_REASONS.otherBucket;
      result.skipped.push({ record: `${bucketRecord(id)} (${bucket.events.length} events)`, reason });
      continue;
    }

    const host = hostKey(bucket.hostname);
    const active = activeByHost.get(host);
    if (active === undefined && bucket.events.length > 0 && !warnedHosts.has(host)) {
      warnedHosts.add(host);
      result.warnings.push(
        `${options.file}: no afkstatus bucket for host "${bucket.hostname}", so its window and editor events were kept whole, including any time away from the keyboard`,
      );
    }

    bucket.events.forEach((value, index) => {
      const outcome = toActivities(value, { bucketId: id, bucket, kind, active, person: options.person });
      if (typeof outcome === "string") result.skipped.push({ record: eventRecord(id, index), reason: outcome });
      else result.records.push(...outcome);
    });
  }
  return result;
}

type BucketKind = "editor" | "window" | "afk" | "web" | "other";

function bucketKind(type: string): BucketKind {
  if (type === BUCKET_TYPES.editor) return "editor";
  if (type === BUCKET_TYPES.window) return "window";
  if (type === BUCKET_TYPES.afk) return "afk";
  if (type.startsWith(BUCKET_TYPES.webPrefix)) return "web";
  return "other";
}

/** Collect the not-afk periods per host from every afkstatus bucket, skipping bad afk events. */
function collectActivePeriods(
  buckets: readonly { id: string; bucket: Bucket }[],
  result: ParseResult<ActivityInput>,
): Map<string, ActivePeriods> {
  const spansByHost = new Map<string, TimeSpan[]>();

  for (const { id, bucket } of buckets) {
    if (bucketKind(bucket.type) !== "afk") continue;
    const spans = spansByHost.get(hostKey(bucket.hostname)) ?? [];
    spansByHost.set(hostKey(bucket.hostname), spans);

    bucket.events.forEach((value, index) => {
      const event = readEvent(value);
      const status = typeof event === "object" ? event.data["status"] : undefined;
      let reason: string | undefined;
      if (event === "bad") reason = ACTIVITYWATCH_SKIP_REASONS.badEvent;
      else if (event === "implausible") reason = ACTIVITYWATCH_SKIP_REASONS.implausibleTime;
      else if (status !== "afk" && status !== "not-afk") reason = ACTIVITYWATCH_SKIP_REASONS.badAfkEvent;
      else if (status === "not-afk") spans.push({ start: event.start, end: event.end });

      if (reason !== undefined) result.skipped.push({ record: eventRecord(id, index), reason });
    });
  }

  const periods = new Map<string, ActivePeriods>();
  for (const [host, spans] of spansByHost) periods.set(host, new ActivePeriods(spans));
  return periods;
}

interface EventContext {
  bucketId: string;
  bucket: Bucket;
  kind: "editor" | "window";
  active: ActivePeriods | undefined;
  person: IdentityInput;
}

/** Convert one editor or window event to activities, or return the skip reason. */
function toActivities(value: unknown, context: EventContext): ActivityInput[] | string {
  const event = readEvent(value);
  if (event === "bad") return ACTIVITYWATCH_SKIP_REASONS.badEvent;
  if (event === "implausible") return ACTIVITYWATCH_SKIP_REASONS.implausibleTime;

  const described = context.kind === "window" ? describeWindow(event.data) : describeEditor(event.data);
  if (typeof described === "string") return described;
  if (event.end === event.start) return ACTIVITYWATCH_SKIP_REASONS.zeroDuration;

  const pieces = context.active === undefined ? [{ start: event.start, end: event.end }] : context.active.cut(event.start, event.end);
  if (pieces.length === 0) return ACTIVITYWATCH_SKIP_REASONS.allAfk;

  const baseUid = `aw:${context.bucketId}:${event.id ?? timeDigest(event)}`;
  const machine = cleanText(context.bucket.hostname);
  return pieces.map((piece, index) => ({
    // A stable suffix per part: the cut depends only on the export's afk events.
    sourceUid: pieces.length === 1 ? baseUid : `${baseUid}#${index}`,
    source: "activitywatch",
    kind: "ide_session",
    actor: context.person,
    startAt: piece.start,
    endAt: piece.end,
    tz: offsetZoneName(event.offsetMinutes),
    dateOnly: false,
    project: described.project,
    machine,
    explicitKeys: described.explicitKeys,
    text: described.text,
  }));
}

interface Described {
  project: string | undefined;
  explicitKeys: string[];
  text: ActivityText;
}

function describeWindow(data: Record<string, unknown>): Described | string {
  const app = cleanText(data["app"]);
  if (app === undefined) return ACTIVITYWATCH_SKIP_REASONS.missingApp;
  if (!isEditorApp(app)) return ACTIVITYWATCH_SKIP_REASONS.notEditorApp;

  const title = cleanText(data["title"]);
  const text: ActivityText = {};
  if (title !== undefined) text.title = title;
  return { project: undefined, explicitKeys: title === undefined ? [] : extractIssueKeys(title), text };
}

function describeEditor(data: Record<string, unknown>): Described {
  const file = cleanText(data["file"]);
  const branch = cleanText(data["branch"]);
  const text: ActivityText = {};
  if (file !== undefined) text.paths = file;
  if (branch !== undefined) text.branch = branch;

  const keys = new Set<string>();
  for (const source of [branch, file]) {
    if (source !== undefined) for (const key of extractIssueKeys(source)) keys.add(key);
  }
  return { project: cleanText(data["project"]), explicitKeys: [...keys], text };
}

/** Key for an event the export left without id: its start and duration in milliseconds. */
function timeDigest(event: ExportEvent): string {
  return createHash("sha256")
    .update(`${event.start}/${event.end - event.start}`)
    .digest("base64url")
    .slice(0, 22);
}

function cleanText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return UNKNOWN_VALUES.has(value.trim().toLowerCase()) ? undefined : value;
}

function hostKey(hostname: string): string {
  return hostname.trim().toLowerCase();
}

function bucketRecord(id: string): string {
  return `buckets[${JSON.stringify(id)}]`;
}

function eventRecord(bucketId: string, index: number): string {
  return `${bucketRecord(bucketId)}.events[${index}]`;
}
