import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importActivities } from "../ingest/import-activities.js";
import { parseWakatime } from "../ingest/wakatime/parse.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { refreshSuggestions } from "./refresh.js";
import { listSuggestions } from "./suggestions.js";

const person = { source: "wakatime" as const, externalId: "dev@example.com", email: "dev@example.com" };

/** Heartbeats every two minutes from `start` (epoch seconds) on a branch that names the issue. */
function heartbeats(start: number, count: number, branch: string): Uint8Array {
  const items = Array.from({ length: count }, (_, i) => ({ entity: "/src/app/main.ts", type: "file", category: "coding", time: start + i * 120, project: "app", branch, is_write: i % 3 === 0 }));
  return Buffer.from(JSON.stringify(items));
}

describe.each(BACKENDS)("refreshSuggestions on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    await handle.store.issues.upsert(
      { sourceId: "10001", key: "PROJ-7", projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: "Import pipeline", description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("refresh handles only new activity", async () => {
    const { store } = handle;
    // 2025-03-10 09:00 to 09:58 UTC: 30 heartbeats on a branch named after PROJ-7.
    const first = parseWakatime(heartbeats(1_741_597_200, 30, "feature/PROJ-7-import"), { file: "bulk", person });
    await importActivities(store, first, { source: "wakatime", file: "bulk" });

    const report = await refreshSuggestions(store);
    expect(report.activities).toBe(30);
    expect(report.range).toEqual({ from: "2025-03-09", to: "2025-03-11" });
    const views = await listSuggestions(store, { from: "2025-03-10", to: "2025-03-10" });
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ issueKey: "PROJ-7", status: "pending" });
    const firstSeconds = views[0]?.seconds ?? 0;
    expect(firstSeconds).toBeGreaterThanOrEqual(58 * 60);

    expect(await refreshSuggestions(store)).toEqual({ activities: 0, range: undefined, suggestions: 0 });

    // A second batch the same afternoon adds to the same day's suggestion.
    const second = parseWakatime(heartbeats(1_741_615_200, 16, "feature/PROJ-7-import"), { file: "bulk", person });
    await importActivities(store, second, { source: "wakatime", file: "bulk" });
    expect((await refreshSuggestions(store)).activities).toBe(16);
    const [after] = await listSuggestions(store, { from: "2025-03-10", to: "2025-03-10" });
    expect(after?.seconds ?? 0).toBeGreaterThan(firstSeconds + 29 * 60);
  });
});
