import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { IdentityInput } from "../../domain/types.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importActivityWatch } from "./import.js";
import { ACTIVITYWATCH_SKIP_REASONS } from "./parse.js";
import { awBucket, awExport } from "./test-support/fixtures.js";

const person: IdentityInput = { source: "activitywatch", externalId: "dev@example.com", email: "dev@example.com" };

const exported = awExport(
  awBucket("aw-watcher-vscode_laptop", "app.editor.activity", "laptop", [
    { id: 1, timestamp: "2025-03-10T09:00:00Z", duration: 600, data: { file: "/p/a.ts", project: "/p", branch: "PROJ-42-fix" } },
    { id: 2, timestamp: "2025-03-10T09:10:00Z", duration: "ten" as unknown as number, data: { file: "/p/b.ts" } },
    { id: 3, timestamp: "2025-03-10T09:20:00Z", duration: 300, data: { file: "/p/c.ts", project: "/p" } },
  ]),
  awBucket("aw-watcher-window_laptop", "currentwindow", "laptop", [
    { timestamp: "2025-03-10T09:00:00+00:00", duration: 900, data: { app: "Code", title: "a.ts - p" } },
  ]),
  awBucket("aw-watcher-afk_laptop", "afkstatus", "laptop", [
    { timestamp: "2025-03-10T08:00:00+00:00", duration: 7200, data: { status: "not-afk" } },
  ]),
);

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "worklens-aw-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function writeJson(name: string, value: unknown): string {
  const file = join(folder, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe.each(BACKENDS)("importActivityWatch on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("re-import adds nothing", async () => {
    const file = writeJson(`reimport-${backend}.json`, exported);
    const first = await importActivityWatch(handle.store, file, { person });
    const second = await importActivityWatch(handle.store, file, { person });
    expect(first.imported).toBe(3);
    expect(second.imported).toBe(0);
    expect(second.duplicate).toBe(3);
    expect(await handle.store.activities.count()).toBe(3);
  });

  it("skips a bad record, imports the rest", async () => {
    const file = writeJson(`partial-${backend}.json`, exported);
    const report = await importActivityWatch(handle.store, file, { person });
    expect(report.source).toBe("activitywatch");
    expect(report.skipped).toEqual([
      { record: 'buckets["aw-watcher-vscode_laptop"].events[1]', reason: ACTIVITYWATCH_SKIP_REASONS.badEvent },
    ]);

    const activities = await handle.store.activities.list({ source: "activitywatch" });
    expect(activities).toHaveLength(3);
    expect(activities.every((a) => a.kind === "ide_session" && a.machine === "laptop")).toBe(true);
    const editor = activities.find((a) => a.explicitKeys.includes("PROJ-42"));
    expect(editor?.startAt).toBe(Date.UTC(2025, 2, 10, 9, 0));
    expect(editor?.endAt).toBe(Date.UTC(2025, 2, 10, 9, 10));
    const texts = await handle.store.activities.texts([editor?.id ?? -1]);
    expect(texts.get(editor?.id ?? -1)?.paths).toBe("/p/a.ts");
  });

  it("rejects a file that is not an export", async () => {
    const file = writeJson(`array-${backend}.json`, [1, 2, 3]);
    await expect(importActivityWatch(handle.store, file, { person })).rejects.toBeInstanceOf(WorklensError);
    expect(await handle.store.activities.count()).toBe(0);
  });
});
