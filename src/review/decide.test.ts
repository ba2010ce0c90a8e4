import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatJiraInstant } from "../domain/time.js";
import { runAllocation } from "../allocation/run-allocation.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { acceptSuggestion, bulkAccept, rejectSuggestion, undoDecision } from "./decide.js";
import { listSuggestions } from "./suggestions.js";
import { seedSuggestions, type Seeded } from "./test-support/seed.js";

const by = { decidedBy: "person:1", now: Date.parse("2025-03-11T08:00:00Z") };

describe.each(BACKENDS)("suggestion review on %s", (backend) => {
  let handle: TestStore;
  let seed: Seeded;
  const issue = (key: string) => seed.issueIds.get(key) ?? -1;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    seed = await seedSuggestions(handle.store);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("accept starts at first evidence", async () => {
    const { store } = handle;
    const { review, worklogId } = await acceptSuggestion(store, { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-1") }, {}, by);
    expect(review.decision).toBe("accepted");
    const worklog = await store.worklogs.get(worklogId);
    expect(worklog).toMatchObject({ issueKey: "PROJ-1", seconds: 7200, tz: "Europe/Berlin", day: "2025-03-10", origin: "confirmed", writeBack: "pending", remoteId: null });
    expect(formatJiraInstant(worklog?.startedAt ?? 0, "Europe/Berlin")).toBe("2025-03-10T08:15:00.000+0100");

    const [view] = await listSuggestions(store, { personId: seed.personId, status: "accepted" });
    expect(view).toMatchObject({ issueKey: "PROJ-1", status: "accepted", changedSinceReview: false, worklog: { id: worklogId, writeBack: "pending" } });
  });

  it("accept without times starts 09:00", async () => {
    const { worklogId } = await acceptSuggestion(handle.store, { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-2") }, {}, by);
    const worklog = await handle.store.worklogs.get(worklogId);
    expect(formatJiraInstant(worklog?.startedAt ?? 0, "Europe/Berlin")).toBe("2025-03-10T09:00:00.000+0100");
  });

  it("edit keeps the suggested values", async () => {
    const { store } = handle;
    const ref = { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-2") };
    const { review, worklogId } = await acceptSuggestion(store, ref, { seconds: 3600, issueKey: "PROJ-3", comment: "pairing" }, by);
    expect(review).toMatchObject({ decision: "edited", suggestedSeconds: 1800, suggestedConfidence: 0.4 });
    expect(await store.worklogs.get(worklogId)).toMatchObject({ issueKey: "PROJ-3", seconds: 3600, comment: "pairing" });
  });

  it("unlinked time needs an issue key", async () => {
    const ref = { personId: seed.personId, day: "2025-03-10", issueId: null };
    await expect(acceptSuggestion(handle.store, ref, {}, by)).rejects.toMatchObject({ code: "USAGE" });
    await expect(acceptSuggestion(handle.store, ref, { issueKey: "NOPE-1" }, by)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { worklogId } = await acceptSuggestion(handle.store, ref, { issueKey: "PROJ-3" }, by);
    expect(await handle.store.worklogs.get(worklogId)).toMatchObject({ issueKey: "PROJ-3", seconds: 2700 });
  });

  it("rejects invalid decisions", async () => {
    const ref = { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-1") };
    await rejectSuggestion(handle.store, ref, by);
    await expect(acceptSuggestion(handle.store, ref, {}, by)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(rejectSuggestion(handle.store, ref, by)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(acceptSuggestion(handle.store, { ...ref, day: "2025-03-09" }, {}, by)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const other = { ...ref, issueId: issue("PROJ-2") };
    await expect(acceptSuggestion(handle.store, other, { seconds: 30 }, by)).rejects.toMatchObject({ code: "USAGE" });
    await expect(acceptSuggestion(handle.store, other, { startedAt: Date.parse("2025-03-10T23:30:00Z") }, by)).rejects.toMatchObject({ code: "USAGE" });
    expect(await handle.store.worklogs.list({ origin: "confirmed" })).toEqual([]);
  });

  it("undo works until written", async () => {
    const { store } = handle;
    const ref = { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-1") };
    const first = await acceptSuggestion(store, ref, {}, by);
    await undoDecision(store, ref);
    expect(await store.worklogs.get(first.worklogId)).toBeUndefined();
    expect((await listSuggestions(store, { personId: seed.personId })).find((v) => v.issueKey === "PROJ-1")?.status).toBe("pending");

    const second = await acceptSuggestion(store, ref, {}, by);
    await store.worklogs.markWritten(second.worklogId, "100001", by.now);
    await expect(undoDecision(store, ref)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await store.worklogs.get(second.worklogId)).toMatchObject({ writeBack: "written", remoteId: "100001" });
  });

  it("bulk accept skips with reasons", async () => {
    const { store } = handle;
    await rejectSuggestion(store, { personId: seed.otherPersonId, day: "2025-03-10", issueId: issue("PROJ-1") }, by);
    const outcome = await bulkAccept(store, { from: "2025-03-10", to: "2025-03-10", minConfidence: 0.5 }, by);
    expect(outcome.accepted).toBe(1);
    expect(outcome.skipped.map((s) => s.reason).sort()).toEqual(["already decided", "confidence 0.40 is below 0.5", "unlinked time: accept it one by one with an issue key"]);
    expect((await bulkAccept(store, { from: "2025-03-10", to: "2025-03-10" }, by)).accepted).toBe(1);
  });

  it("decisions survive reallocation", async () => {
    const { store } = handle;
    await acceptSuggestion(store, { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-1") }, {}, by);
    await rejectSuggestion(store, { personId: seed.personId, day: "2025-03-10", issueId: issue("PROJ-2") }, by);
    // No activities are stored, so a new run leaves the day without suggestions.
    await runAllocation(store, { from: "2025-03-10", to: "2025-03-10" });
    const views = await listSuggestions(store, { personId: seed.personId });
    expect(views.map((v) => [v.issueKey, v.status, v.seconds, v.changedSinceReview])).toEqual([
      ["PROJ-1", "accepted", 7200, true],
      ["PROJ-2", "rejected", 1800, true],
    ]);
  });
});
