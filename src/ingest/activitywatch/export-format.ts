import { z } from "zod";
import { invalidInput } from "../../domain/errors.js";
import { isPlausibleInstant, MS_PER_SECOND, parseOffsetInstant } from "../../domain/time.js";

/**
 * The bucket export of aw-server: GET /api/0/export returns
 * `{"buckets": {"<bucket id>": bucket}}` with every bucket, and
 * GET /api/0/buckets/<id>/export the same shape with one bucket. A bucket has id,
 * type, client, hostname, created and its events. Each event has timestamp (ISO 8601
 * with an offset), duration (seconds) and data. The Python aw-server removes event ids
 * on export, so an id is optional. Source: aw-server `aw_server/rest.py` and
 * `aw_server/api.py`, aw-server-rust `aw-models/src/bucket.rs` and `event.rs`.
 */
const bucketSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string(),
  client: z.string().nullish(),
  hostname: z.string(),
  created: z.string().nullish(),
  events: z.array(z.unknown()),
});

const eventSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).nullish(),
  timestamp: z.string(),
  duration: z.number().min(0),
  data: z.record(z.string(), z.unknown()),
});

export type Bucket = z.infer<typeof bucketSchema>;

const EXPORT_HINT = "pass the bucket export of aw-server as it returns it from GET /api/0/export or GET /api/0/buckets/<id>/export";

/** One bucket entry of the export, not yet validated. */
export interface BucketEntry {
  id: string;
  value: unknown;
}

export interface ExportEvent {
  /** Event id, when the export kept it. */
  id: string | undefined;
  start: number;
  end: number;
  /** Offset of the timestamp in minutes east of UTC. */
  offsetMinutes: number;
  data: Record<string, unknown>;
}

/**
 * Read the bucket entries of an export: the `buckets` map of a full or single-bucket
 * export, or one bare bucket object with an `events` array. Throws invalidInput when
 * the bytes are not UTF-8 JSON of either shape.
 */
export function readBucketEntries(bytes: Uint8Array, file: string): BucketEntry[] {
  const parsed = parseJson(bytes, file);
  if (!isRecord(parsed)) {
    throw invalidInput(file, "is not an ActivityWatch export: expected a JSON object", EXPORT_HINT);
  }

  const buckets = parsed["buckets"];
  if (isRecord(buckets)) {
    return Object.entries(buckets).map(([id, value]) => ({ id, value }));
  }

  const id = parsed["id"];
  if (typeof id === "string" && Array.isArray(parsed["events"])) return [{ id, value: parsed }];

  throw invalidInput(file, 'is not an ActivityWatch export: it has no "buckets" object and is not a single bucket', EXPORT_HINT);
}

/** Validate a bucket, returning undefined when it lacks type, hostname or an events array. */
export function readBucket(value: unknown): Bucket | undefined {
  const result = bucketSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Validate an event, returning "bad" for a malformed one and "implausible" for a time outside 1990-2100. */
export function readEvent(value: unknown): ExportEvent | "bad" | "implausible" {
  const result = eventSchema.safeParse(value);
  if (!result.success) return "bad";
  const event = result.data;

  const timestamp = parseOffsetInstant(event.timestamp);
  if (timestamp === undefined) return "bad";
  const end = timestamp.instant + Math.round(event.duration * MS_PER_SECOND);
  if (!isPlausibleInstant(timestamp.instant) || !isPlausibleInstant(end)) return "implausible";

  return {
    id: event.id === null || event.id === undefined ? undefined : String(event.id),
    start: timestamp.instant,
    end,
    offsetMinutes: timestamp.offsetMinutes,
    data: event.data,
  };
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw invalidInput(file, "is not valid UTF-8 text", EXPORT_HINT, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidInput(file, "is not valid JSON (the file may be truncated)", EXPORT_HINT, error);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
