/** Builders for aw-server bucket exports in tests. */

export interface EventSpec {
  id?: number;
  /** ISO 8601 with offset. */
  timestamp: string;
  /** Seconds. */
  duration: number;
  data: Record<string, unknown>;
}

export function awBucket(id: string, type: string, hostname: string, events: EventSpec[]): Record<string, unknown> {
  return {
    id,
    created: "2025-03-01T08:00:00.000000+00:00",
    name: null,
    type,
    client: id.split("_")[0] ?? id,
    hostname,
    events,
  };
}

export function awExport(...buckets: Record<string, unknown>[]): { buckets: Record<string, unknown> } {
  const map: Record<string, unknown> = {};
  for (const bucket of buckets) map[String(bucket["id"])] = bucket;
  return { buckets: map };
}

export function toBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}
