import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { IdentityInput } from "../../domain/types.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importWakatime } from "./import.js";
import { WAKATIME_SKIP_REASONS } from "./parse.js";

const person: IdentityInput = { source: "wakatime", externalId: "dev@example.com", email: "dev@example.com" };

function heartbeat(time: number, entity: string, isWrite = false): Record<string, unknown> {
  return { entity, type: "file", category: "coding", time, project: "proj", branch: "PROJ-42-fix", is_write: isWrite };
}

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "worklens-wakatime-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function writeJson(name: string, value: unknown): string {
  const file = join(folder, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe.each(BACKENDS)("importWakatime on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("re-import adds nothing", async () => {
    const file = writeJson(`reimport-${backend}.json`, [
      heartbeat(1741600800.25, "/p/a.ts"),
      heartbeat(1741600920.5, "/p/a.ts", true),
    ]);
    const first = await importWakatime(handle.store, file, { person, machine: "laptop-a" });
    const second = await importWakatime(handle.store, file, { person, machine: "laptop-a" });
    expect(first.imported).toBe(2);
    expect(first.duplicate).toBe(0);
    expect(second.imported).toBe(0);
    expect(second.duplicate).toBe(2);
    expect(await handle.store.activities.count()).toBe(2);
  });

  it("skips a bad record, imports the rest", async () => {
    const file = writeJson(`partial-${backend}.json`, [
      heartbeat(1741600800.25, "/p/a.ts"),
      { entity: "/p/b.ts", type: "file", time: "yesterday" },
      heartbeat(1741600920.5, "/p/c.ts"),
    ]);
    const report = await importWakatime(handle.store, file, { person, machine: "laptop-a" });
    expect(report.source).toBe("wakatime");
    expect(report.file).toBe(file);
    expect(report.imported).toBe(2);
    expect(report.skipped).toEqual([{ record: "heartbeats[1]", reason: WAKATIME_SKIP_REASONS.timeNotNumber }]);

    const activities = await handle.store.activities.list({ source: "wakatime" });
    expect(activities.map((a) => a.startAt)).toEqual([1_741_600_800_250, 1_741_600_920_500]);
    expect(activities.every((a) => a.machine === "laptop-a" && a.kind === "ide_heartbeat")).toBe(true);
    expect(activities[0]?.explicitKeys).toEqual(["PROJ-42"]);
    const texts = await handle.store.activities.texts(activities.map((a) => a.id));
    expect(texts.get(activities[0]?.id ?? -1)).toEqual({ paths: "/p/a.ts", branch: "PROJ-42-fix", title: undefined, body: undefined });
  });

  it("rejects a file that is not an array", async () => {
    const file = writeJson(`object-${backend}.json`, { heartbeats: [] });
    await expect(importWakatime(handle.store, file, { person })).rejects.toBeInstanceOf(WorklensError);
    expect(await handle.store.activities.count()).toBe(0);
  });
});

describe("importWakatime without a file", () => {
  it("rejects a missing file", async () => {
    const missing = join(tmpdir(), "worklens-no-such-file.json");
    const handle = await openTestStore("sqlite");
    try {
      await expect(importWakatime(handle.store, missing, { person })).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await handle.dispose();
    }
  });
});
