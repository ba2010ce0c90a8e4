import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  heartbeatSegments,
  totalDuration,
  type HeartbeatPoint,
  type LabelledSpan,
} from "../../src/allocation/heartbeat-sessions.js";
import { dayOf } from "../../src/domain/time.js";
import type { IdentityInput } from "../../src/domain/types.js";
import { importActivities } from "../../src/ingest/import-activities.js";
import { parseWakatime } from "../../src/ingest/wakatime/parse.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

// These cases must give the same results whatever the host's TZ is. CI runs this file
// under UTC, America/Los_Angeles and Asia/Tokyo.
const HOST_ZONE = process.env["TZ"] ?? "(unset)";

function readCase(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../shared/cases/field/${name}`, import.meta.url), "utf8"));
}

const dedupCase = z
  .object({
    headers: z.object({ "User-Agent": z.string(), "X-Machine-Name": z.string() }),
    body: z.array(z.unknown()),
  })
  .parse(readCase("10-heartbeat-dedup-same-second.json"));

const twoMachinesCase = z
  .object({ machine_a: z.array(z.number()), machine_b: z.array(z.number()) })
  .parse(readCase("14-heartbeats-two-machines-interleaved.json"));

const person: IdentityInput = { source: "wakatime", externalId: "dev@example.com", email: "dev@example.com" };
const MS_PER_SECOND = 1000;

function parseDedupCase() {
  return parseWakatime(new TextEncoder().encode(JSON.stringify(dedupCase.body)), {
    file: "10-heartbeat-dedup-same-second.json",
    person,
    machine: dedupCase.headers["X-Machine-Name"],
    userAgent: dedupCase.headers["User-Agent"],
  });
}

function seconds(spans: readonly LabelledSpan[]): number {
  return totalDuration(spans) / MS_PER_SECOND;
}

function beatsOf(times: readonly number[], label: string | null, machine: string): HeartbeatPoint[] {
  return times.map((t) => ({ at: t * MS_PER_SECOND, label, machine }));
}

describe(`heartbeat dedup in one second (TZ=${HOST_ZONE})`, () => {
  it("parses all three heartbeats", () => {
    const { records, skipped } = parseDedupCase();
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.startAt)).toEqual([1_741_600_800_123, 1_741_600_800_877, 1_741_600_800_877]);
    expect(records.every((r) => r.machine === "laptop-a" && r.tz === "UTC")).toBe(true);
    expect(records.every((r) => dayOf(r.startAt, r.tz) === "2025-03-10")).toBe(true);
    expect(records[0]?.explicitKeys).toEqual(["PROJ-42"]);
  });

  it("keeps distinct, merges the re-send", () => {
    const [read, write, resend] = parseDedupCase().records.map((r) => r.sourceUid);
    expect(read).not.toBe(write);
    expect(resend).toBe(write);
  });

  describe.each(BACKENDS)("import on %s", (backend) => {
    let handle: TestStore;
    beforeEach(async () => {
      handle = await openTestStore(backend);
    });
    afterEach(async () => {
      await handle.dispose();
    });

    it("imports 2, reports 1 duplicate", async () => {
      const report = await importActivities(handle.store, parseDedupCase(), { source: "wakatime", file: "10-heartbeat-dedup-same-second.json" });
      expect(report.imported).toBe(2);
      expect(report.duplicate).toBe(1);
      expect(report.skipped).toEqual([]);
      expect(await handle.store.activities.count()).toBe(2);

      const again = await importActivities(handle.store, parseDedupCase(), { source: "wakatime", file: "10-heartbeat-dedup-same-second.json" });
      expect(again.imported).toBe(0);
      expect(again.duplicate).toBe(3);
    });
  });
});

describe(`heartbeats from two machines (TZ=${HOST_ZONE})`, () => {
  const a = beatsOf(twoMachinesCase.machine_a, "PROJ-1", "desktop");
  const b = beatsOf(twoMachinesCase.machine_b, "PROJ-1", "laptop");

  it("counts each machine 360 s", () => {
    expect(seconds(heartbeatSegments(a, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(360);
    expect(seconds(heartbeatSegments(b, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(360);
  });

  it("merged is 420 s, not 720 s", () => {
    const segments = heartbeatSegments([...a, ...b], DEFAULT_HEARTBEAT_TIMEOUT_MS);
    expect(seconds(segments)).toBe(420);
    expect(segments).toEqual([{ start: 1_741_600_800_000, end: 1_741_601_220_000, label: "PROJ-1" }]);
  });

  it("merged through the WakaTime parser", () => {
    const body = (times: readonly number[]) =>
      new TextEncoder().encode(JSON.stringify(times.map((time) => ({ entity: "/home/dev/proj/a.ts", type: "file", category: "coding", time, branch: "PROJ-1-x" }))));
    const fromA = parseWakatime(body(twoMachinesCase.machine_a), { file: "a.json", person, machine: "desktop" }).records;
    const fromB = parseWakatime(body(twoMachinesCase.machine_b), { file: "b.json", person, machine: "laptop" }).records;
    const beats = [...fromA, ...fromB].map((r) => ({ at: r.startAt, label: r.explicitKeys[0] ?? null, machine: r.machine ?? null }));
    expect(seconds(heartbeatSegments(beats, DEFAULT_HEARTBEAT_TIMEOUT_MS))).toBe(420);
  });

  it("two labels interleaved: no double booking", () => {
    const segments = heartbeatSegments(
      [...beatsOf(twoMachinesCase.machine_a, "PROJ-1", "desktop"), ...beatsOf(twoMachinesCase.machine_b, "PROJ-2", "laptop")],
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
    );
    const byLabel = (label: string) => seconds(segments.filter((s) => s.label === label));
    expect(byLabel("PROJ-1") + byLabel("PROJ-2")).toBe(420);
    expect(byLabel("PROJ-1")).toBe(240);
    expect(byLabel("PROJ-2")).toBe(180);
  });

  it("two labels at one instant count once", () => {
    // Both machines report every instant of machine A, each for another ticket.
    const segments = heartbeatSegments(
      [...beatsOf(twoMachinesCase.machine_a, "PROJ-1", "desktop"), ...beatsOf(twoMachinesCase.machine_a, "PROJ-2", "laptop")],
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
    );
    expect(seconds(segments)).toBe(360);
    for (let i = 1; i < segments.length; i += 1) {
      expect(segments[i]?.start).toBeGreaterThanOrEqual(segments[i - 1]?.end ?? Infinity);
    }
  });
});
