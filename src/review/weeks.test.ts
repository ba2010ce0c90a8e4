import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { acceptSuggestion, bulkAccept, rejectSuggestion, undoDecision } from "./decide.js";
import { moveTime } from "./move.js";
import { listSuggestions } from "./suggestions.js";
import { seedSuggestions, type Seeded } from "./test-support/seed.js";
import {
  approveWeek,
  getWeek,
  isoWeekEnd,
  isoWeekStart,
  listSubmittedWeeks,
  listWeeks,
  rejectWeek,
  reopenWeek,
  requireUnlockedWeek,
  submitWeek,
  WeekAccessError,
  WeekLockedError,
  withdrawWeek,
  type WeekActor,
} from "./weeks.js";

const NOW = Date.parse("2025-03-17T08:00:00Z");
const DAY = "2025-03-10";
const SECRET_COMMENT = "split the pairing hours-4c9e";

describe("ISO weeks", () => {
  it("week start is the Monday", () => {
    expect(isoWeekStart("2025-03-10")).toBe("2025-03-10");
    expect(isoWeekStart("2025-03-12")).toBe("2025-03-10");
    expect(isoWeekStart("2025-03-16")).toBe("2025-03-10");
    expect(isoWeekStart("2025-03-17")).toBe("2025-03-17");
    // ISO week 2025-W01 starts in 2024.
    expect(isoWeekStart("2025-01-01")).toBe("2024-12-30");
    expect(isoWeekStart("2024-02-29")).toBe("2024-02-26");
  });

  it("week end is the Sunday", () => {
    expect(isoWeekEnd("2025-03-10")).toBe("2025-03-16");
    expect(isoWeekEnd("2024-12-30")).toBe("2025-01-05");
  });

  it("invalid day is a usage error", () => {
    expect(() => isoWeekStart("2025-02-30")).toThrow(/invalid day "2025-02-30"/);
  });
});

describe.each(BACKENDS)("week review on %s", (backend) => {
  let handle: TestStore;
  let seed: Seeded;
  let managerId: number;
  let otherManagerId: number;
  let dev: WeekActor;
  let manager: WeekActor;
  let otherManager: WeekActor;
  const admin: WeekActor = { actor: "admin", personId: undefined, admin: true, now: NOW };
  const issue = (key: string) => seed.issueIds.get(key) ?? -1;
  const devRef = (key: string | null) => ({ personId: seed.personId, day: DAY, issueId: key === null ? null : issue(key) });
  const decider = () => ({ decidedBy: `person:${String(seed.personId)}`, now: NOW });

  beforeEach(async () => {
    handle = await openTestStore(backend);
    const { store } = handle;
    seed = await seedSuggestions(store);
    managerId = (await store.people.resolve({ source: "jira", externalId: "acc-mgr", displayName: "Mia Manager", email: "mia@example.com" })).personId;
    otherManagerId = (await store.people.resolve({ source: "jira", externalId: "acc-mgr2", displayName: "Omar Lead", email: "omar@example.com" })).personId;
    const team = await store.teams.create({ name: "platform", managerPersonId: managerId });
    const commitment = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };
    for (const person of [seed.personId, seed.otherPersonId, managerId]) await store.teams.setMember(team.id, person, commitment);
    const otherTeam = await store.teams.create({ name: "web", managerPersonId: otherManagerId });
    await store.teams.setMember(otherTeam.id, otherManagerId, commitment);
    dev = { actor: `person:${String(seed.personId)}`, personId: seed.personId, admin: false, now: NOW };
    manager = { actor: `person:${String(managerId)}`, personId: managerId, admin: false, now: NOW };
    otherManager = { actor: `person:${String(otherManagerId)}`, personId: otherManagerId, admin: false, now: NOW };
  });
  afterEach(async () => {
    await handle.dispose();
  });

  /** Decides every pending suggestion of dev's week: bulk-accepts the linked ones and moves the unlinked time onto PROJ-3. */
  async function decideDevWeek(): Promise<void> {
    const { store } = handle;
    expect((await bulkAccept(store, { personId: seed.personId, from: DAY, to: isoWeekEnd(DAY) }, decider())).accepted).toBe(2);
    await moveTime(store, devRef(null), { toIssueKey: "PROJ-3", seconds: 2700 }, decider());
  }

  it("open week shows totals", async () => {
    const week = await getWeek(handle.store, dev, seed.personId, "2025-03-13");
    expect(week).toEqual({
      personId: seed.personId,
      personName: "Dev One",
      weekStart: "2025-03-10",
      weekEnd: "2025-03-16",
      status: "open",
      submittedAt: null,
      decidedBy: null,
      decidedAt: null,
      comment: null,
      locked: false,
      pending: 3,
      suggestedSeconds: 7200 + 1800 + 2700,
      confirmedSeconds: 0,
    });
  });

  it("submit refused while pending", async () => {
    const { store } = handle;
    const error = await submitWeek(store, dev, seed.personId, DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorklensError);
    expect(error).toMatchObject({ code: "CONFLICT", message: "the week of 2025-03-10 has 3 pending suggestions", hint: "accept, edit or reject them, or accept them all with POST /suggestions/bulk-accept (Accept week in the web UI), then submit again" });
    expect((await getWeek(store, dev, seed.personId, DAY)).status).toBe("open");
    expect(await store.audit.list({ action: "week." })).toEqual([]);

    // Bulk accept leaves the unlinked time pending, so the week still cannot be submitted.
    await bulkAccept(store, { personId: seed.personId, from: DAY, to: DAY }, decider());
    await expect(submitWeek(store, dev, seed.personId, DAY)).rejects.toThrow("the week of 2025-03-10 has 1 pending suggestion");
  });

  it("bulk-accept then submit locks", async () => {
    const { store } = handle;
    await decideDevWeek();
    const week = await submitWeek(store, dev, seed.personId, "2025-03-14");
    expect(week).toMatchObject({ status: "submitted", submittedAt: NOW, locked: true, pending: 0, suggestedSeconds: 11_700, confirmedSeconds: 7200 + 1800 + 2700 });
    await expect(submitWeek(store, dev, seed.personId, DAY)).rejects.toThrow("the week of 2025-03-10 is already submitted");
  });

  it("locked week refuses every decision", async () => {
    const { store } = handle;
    await bulkAccept(store, { personId: seed.personId, from: DAY, to: DAY }, decider());
    await rejectSuggestion(store, devRef(null), decider());
    await submitWeek(store, dev, seed.personId, DAY);

    const attempts: [string, () => Promise<unknown>][] = [
      ["undo", () => undoDecision(store, devRef("PROJ-1"))],
      ["accept", () => acceptSuggestion(store, { ...devRef("PROJ-1"), day: "2025-03-16" }, {}, decider())],
      ["reject", () => rejectSuggestion(store, devRef("PROJ-2"), decider())],
      ["bulk", () => bulkAccept(store, { personId: seed.personId, from: DAY, to: DAY }, decider())],
      ["move", () => moveTime(store, devRef("PROJ-1"), { toIssueKey: "PROJ-3", seconds: 600 }, decider())],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(WorklensError);
      expect(error, name).toMatchObject({ code: "CONFLICT", message: "the week of 2025-03-10 is submitted and locked" });
    }
    const statuses = new Map((await listSuggestions(store, { personId: seed.personId })).map((s) => [s.issueKey, s.status]));
    expect(statuses).toEqual(new Map([["PROJ-1", "accepted"], ["PROJ-2", "accepted"], [null, "rejected"]]));

    // Control: the other person's suggestion of the same week is not locked.
    await acceptSuggestion(store, { personId: seed.otherPersonId, day: DAY, issueId: issue("PROJ-1") }, {}, decider());
  });

  it("submit waits for a decision in flight", async () => {
    const { store } = handle;
    await decideDevWeek();
    const review = await store.reviews.find(seed.personId, DAY, issue("PROJ-2"));
    if (review?.worklogId == null) throw new Error("seeded decision on PROJ-2 is missing");
    const { id: reviewId, worklogId } = review;

    // An undo that has passed its lock check holds the transaction open until released.
    const gate: { release?: () => void; entered?: () => void } = {};
    const released = new Promise<void>((resolve) => {
      gate.release = resolve;
    });
    const inside = new Promise<void>((resolve) => {
      gate.entered = resolve;
    });
    const undo = store.transaction(async (tx) => {
      await requireUnlockedWeek(tx, seed.personId, DAY);
      await tx.worklogs.deleteUnwritten(worklogId);
      await tx.reviews.delete(reviewId);
      gate.entered?.();
      await released;
    });
    await inside;

    let settled = false;
    const submit = submitWeek(store, dev, seed.personId, DAY).finally(() => (settled = true));
    try {
      await sleep(300);
      expect(settled).toBe(false);
    } finally {
      gate.release?.();
      await undo;
    }
    await expect(submit).rejects.toThrow("the week of 2025-03-10 has 1 pending suggestion");
  });

  it("bulk over a locked week accepts nothing", async () => {
    const { store } = handle;
    await bulkAccept(store, { personId: seed.personId, from: DAY, to: DAY }, decider());
    await rejectSuggestion(store, devRef(null), decider());
    await submitWeek(store, dev, seed.personId, DAY);
    await approveWeek(store, manager, seed.personId, DAY, undefined);

    // The admin's bulk over everyone names the person, and accepts not even the other person's suggestion.
    const error = await bulkAccept(store, { from: DAY, to: DAY }, decider()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFLICT", message: `the week of 2025-03-10 of person ${String(seed.personId)} is approved and locked` });
    expect((await listSuggestions(store, { personId: seed.otherPersonId })).map((s) => s.status)).toEqual(["pending"]);

    const own = await bulkAccept(store, { personId: seed.personId, from: DAY, to: DAY }, decider()).catch((e: unknown) => e);
    expect(own).toBeInstanceOf(WeekLockedError);
    expect(own).toMatchObject({ message: "the week of 2025-03-10 is approved and locked", hint: "ask a manager to reopen it" });

    // Control: a range of another week is not affected.
    expect(await bulkAccept(store, { personId: seed.personId, from: "2025-03-17", to: "2025-03-23" }, decider())).toEqual({ accepted: 0, skipped: [] });
  });

  it("withdraw reopens for the person", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    await expect(withdrawWeek(store, admin, DAY)).rejects.toBeInstanceOf(WeekAccessError);
    const week = await withdrawWeek(store, dev, DAY);
    expect(week).toMatchObject({ status: "open", locked: false, submittedAt: null });
    await undoDecision(store, devRef("PROJ-2"));
    expect((await getWeek(store, dev, seed.personId, DAY)).pending).toBe(1);
    await expect(withdrawWeek(store, dev, DAY)).rejects.toThrow("the week of 2025-03-10 is open, not submitted, so there is nothing to withdraw");
  });

  it("manager approves with comment", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    const week = await approveWeek(store, { ...manager, now: NOW + 1000 }, seed.personId, DAY, `  ${SECRET_COMMENT} `);
    expect(week).toMatchObject({ status: "approved", locked: true, decidedBy: "Mia Manager", decidedAt: NOW + 1000, comment: SECRET_COMMENT, submittedAt: NOW });
    await expect(undoDecision(store, devRef("PROJ-1"))).rejects.toMatchObject({ message: "the week of 2025-03-10 is approved and locked", hint: "ask a manager to reopen it" });
    await expect(approveWeek(store, manager, seed.personId, DAY, undefined)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(withdrawWeek(store, dev, DAY)).rejects.toMatchObject({ code: "CONFLICT", hint: "ask a manager to reopen it" });
  });

  it("approve refused while pending", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    // A new allocation run adds a suggestion to the submitted week.
    await store.results.replaceSuggestions("2025-03-12", "2025-03-12", [{ personId: seed.personId, day: "2025-03-12", issueId: issue("PROJ-2"), seconds: 1200, confidence: 0.7, evidence: [] }]);
    await expect(approveWeek(store, manager, seed.personId, DAY, undefined)).rejects.toThrow("the week of 2025-03-10 has 1 pending suggestion that arrived after it was submitted");
    expect((await rejectWeek(store, manager, seed.personId, DAY, "decide Wednesday")).status).toBe("rejected");
  });

  it("own week cannot be approved", async () => {
    const { store } = handle;
    // The manager has no suggestions, so their week can be submitted at once.
    await submitWeek(store, manager, managerId, DAY);
    for (const step of [approveWeek, reopenWeek]) {
      const error = await step(store, manager, managerId, DAY, undefined).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeekAccessError);
    }
    await expect(rejectWeek(store, manager, managerId, DAY, "no")).rejects.toThrow("you cannot reject your own week");
    // An admin who is a person is no exception.
    await expect(approveWeek(store, { ...admin, actor: `person:${String(managerId)}`, personId: managerId }, managerId, DAY, undefined)).rejects.toThrow("you cannot approve your own week");
    expect((await approveWeek(store, admin, managerId, DAY, undefined)).decidedBy).toBe("admin");
  });

  it("other team's manager refused", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    const error = await approveWeek(store, otherManager, seed.personId, DAY, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeekAccessError);
    expect(error).toMatchObject({ message: `you do not manage a team that person ${String(seed.personId)} is in` });
    await expect(getWeek(store, otherManager, seed.personId, DAY)).rejects.toBeInstanceOf(WeekAccessError);
    await expect(getWeek(store, dev, seed.otherPersonId, DAY)).rejects.toBeInstanceOf(WeekAccessError);
    await expect(submitWeek(store, dev, seed.otherPersonId, DAY)).rejects.toBeInstanceOf(WeekAccessError);
    expect(await listSubmittedWeeks(store, otherManager)).toEqual([]);
    expect((await getWeek(store, manager, seed.personId, DAY)).status).toBe("submitted");
  });

  it("reject needs a comment", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    for (const comment of [undefined, "", "   "]) {
      await expect(rejectWeek(store, manager, seed.personId, DAY, comment)).rejects.toMatchObject({ code: "USAGE", message: "comment is required to reject a week" });
    }
    await expect(rejectWeek(store, manager, seed.personId, DAY, "x".repeat(4001))).rejects.toMatchObject({ code: "USAGE" });
    const week = await rejectWeek(store, manager, seed.personId, DAY, SECRET_COMMENT);
    expect(week).toMatchObject({ status: "rejected", locked: false, comment: SECRET_COMMENT, decidedBy: "Mia Manager" });
    await undoDecision(store, devRef("PROJ-2"));
    await acceptSuggestion(store, devRef("PROJ-2"), { seconds: 900 }, decider());

    // Submitting again clears the last decision, so no stale comment is shown to the reviewer.
    expect(await submitWeek(store, dev, seed.personId, DAY)).toMatchObject({ status: "submitted", comment: null, decidedBy: null, decidedAt: null });
  });

  it("reopen unlocks an approved week", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    await approveWeek(store, manager, seed.personId, DAY, undefined);
    const week = await reopenWeek(store, manager, seed.personId, DAY, undefined);
    expect(week).toMatchObject({ status: "reopened", locked: false, comment: null });
    await undoDecision(store, devRef("PROJ-1"));
    await expect(reopenWeek(store, manager, seed.personId, DAY, undefined)).rejects.toThrow(`cannot reopen the week of 2025-03-10 of person ${String(seed.personId)}: it is reopened, not submitted or approved`);
  });

  it("audit entries in order", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    await withdrawWeek(store, dev, DAY);
    await submitWeek(store, dev, seed.personId, DAY);
    await rejectWeek(store, manager, seed.personId, DAY, SECRET_COMMENT);
    await submitWeek(store, dev, seed.personId, DAY);
    await approveWeek(store, manager, seed.personId, DAY, undefined);
    await reopenWeek(store, admin, seed.personId, DAY, SECRET_COMMENT);

    const entries = await store.audit.list({ action: "week." });
    const devActor = `person:${String(seed.personId)}`;
    const managerActor = `person:${String(managerId)}`;
    expect(entries.map((e) => [e.action, e.actor, e.details["from"]])).toEqual([
      ["week.submit", devActor, "open"],
      ["week.withdraw", devActor, "submitted"],
      ["week.submit", devActor, "open"],
      ["week.reject", managerActor, "submitted"],
      ["week.submit", devActor, "rejected"],
      ["week.approve", managerActor, "submitted"],
      ["week.reopen", "admin", "approved"],
    ]);
    for (const entry of entries) {
      expect(entry.subject).toBe(`person:${String(seed.personId)}`);
      expect(entry.details["weekStart"]).toBe(DAY);
      expect(JSON.stringify(entry.details)).not.toContain("pairing hours");
    }
    expect(entries.find((e) => e.action === "week.reject")?.details["comment"]).toBe(true);
    expect(entries.find((e) => e.action === "week.approve")?.details["comment"]).toBe(false);
    // The one move of decideDevWeek is audited too.
    expect((await store.audit.list({ action: "suggestion.move" })).map((e) => e.details)).toEqual([
      { day: DAY, fromIssueId: null, toIssueId: issue("PROJ-3"), seconds: 2700, decision: "edited", worklogId: expect.any(Number) as unknown },
    ]);
  });

  it("comment encrypted at rest", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    await rejectWeek(store, manager, seed.personId, DAY, SECRET_COMMENT);
    const row = await store.db.selectFrom("week_reviews").select(["comment", "decided_by"]).where("person_id", "=", seed.personId).executeTakeFirstOrThrow();
    expect(row.comment).not.toBeNull();
    // The comment's words, not its hex suffix: hashes and ciphertext may contain any four hex digits by chance.
    expect(row.comment).not.toContain("pairing hours");
    expect(row.comment).toMatch(new RegExp(`^wl1\\.p${String(seed.personId)}\\.`));
    expect(row.decided_by).toBe(`person:${String(managerId)}`);
    expect((await getWeek(store, dev, seed.personId, DAY)).comment).toBe(SECRET_COMMENT);

    // The comment is bound to its row: copied to another week it fails decryption.
    await store.db.insertInto("week_reviews").values({ person_id: seed.personId, week_start: "2025-03-17", status: "rejected", submitted_at: NOW, decided_by: null, decided_at: NOW, comment: row.comment, updated_at: NOW }).execute();
    await expect(getWeek(store, dev, seed.personId, "2025-03-17")).rejects.toMatchObject({ code: "STORE" });
  });

  it("move from a linked suggestion", async () => {
    const { store } = handle;
    const outcome = await moveTime(store, devRef("PROJ-1"), { toIssueKey: "PROJ-3", seconds: 1800, comment: "pairing on PROJ-3" }, decider());
    expect(outcome.review).toMatchObject({ decision: "edited", suggestedSeconds: 7200 });
    const worklogs = await store.worklogs.list({ personId: seed.personId });
    expect(worklogs.map((w) => [w.issueKey, w.seconds, w.day, w.comment, w.writeBack])).toEqual([
      ["PROJ-1", 5400, DAY, null, "pending"],
      ["PROJ-3", 1800, DAY, "pairing on PROJ-3", "pending"],
    ]);
    // The moved time follows the time that stays: 08:15 plus 90 minutes.
    expect(worklogs[1]?.startedAt).toBe(Date.parse("2025-03-10T08:45:00Z"));
    expect(worklogs[1]?.id).toBe(outcome.movedWorklogId);
    expect((await getWeek(store, dev, seed.personId, DAY)).confirmedSeconds).toBe(7200);

    // Moving all of a linked suggestion's time rejects it.
    const all = await moveTime(store, devRef("PROJ-2"), { toIssueKey: "PROJ-1", seconds: 1800 }, decider());
    expect(all.review.decision).toBe("rejected");
    expect((await store.worklogs.get(all.movedWorklogId))?.issueKey).toBe("PROJ-1");
    expect((await getWeek(store, dev, seed.personId, DAY)).confirmedSeconds).toBe(9000);
  });

  it("move from unlinked time", async () => {
    const { store } = handle;
    const outcome = await moveTime(store, devRef(null), { toIssueKey: "PROJ-2", seconds: 1200 }, decider());
    expect(outcome.review).toMatchObject({ decision: "edited", issueId: null, worklogId: outcome.movedWorklogId });
    expect(outcome.targetIssueId).toBe(issue("PROJ-2"));
    expect(await store.worklogs.get(outcome.movedWorklogId)).toMatchObject({ issueKey: "PROJ-2", seconds: 1200, day: DAY });
    const unlinked = (await listSuggestions(store, { personId: seed.personId })).find((s) => s.issueId === null);
    expect(unlinked).toMatchObject({ status: "edited", worklog: { issueKey: "PROJ-2", seconds: 1200 } });
  });

  it("move rejects bad requests", async () => {
    const { store } = handle;
    const cases: [string, Parameters<typeof moveTime>[2], Partial<WorklensError>][] = [
      ["unknown key", { toIssueKey: "NOPE-9", seconds: 600 }, { code: "NOT_FOUND", message: "issue NOPE-9 is not in the store" }],
      ["too many seconds", { toIssueKey: "PROJ-3", seconds: 7201 }, { code: "USAGE", message: "seconds 7201 is more than the suggestion's 7200" }],
      ["own issue", { toIssueKey: "PROJ-1", seconds: 600 }, { code: "USAGE", message: "toIssueKey PROJ-1 is the suggestion's own issue" }],
      ["under a minute", { toIssueKey: "PROJ-3", seconds: 30 }, { code: "USAGE" }],
      ["rest under a minute", { toIssueKey: "PROJ-3", seconds: 7170 }, { code: "USAGE", message: "moving 7170 of 7200 seconds would leave 30 seconds, under Jira's minimum worklog of one minute" }],
    ];
    for (const [name, request, expected] of cases) {
      const error = await moveTime(store, devRef("PROJ-1"), request, decider()).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(WorklensError);
      expect(error, name).toMatchObject(expected);
    }
    expect(await store.worklogs.list()).toEqual([]);
    expect(await store.audit.list({ action: "suggestion.move" })).toEqual([]);

    await rejectSuggestion(store, devRef("PROJ-1"), decider());
    await expect(moveTime(store, devRef("PROJ-1"), { toIssueKey: "PROJ-3", seconds: 600 }, decider())).rejects.toThrow("is already decided");
  });

  it("lists weeks newest first", async () => {
    const { store } = handle;
    await store.results.replaceSuggestions("2025-03-18", "2025-03-18", [{ personId: seed.personId, day: "2025-03-18", issueId: issue("PROJ-2"), seconds: 1200, confidence: 0.7, evidence: [] }]);
    const weeks = await listWeeks(store, dev, seed.personId);
    expect(weeks.map((w) => [w.weekStart, w.pending])).toEqual([
      ["2025-03-17", 1],
      ["2025-03-10", 3],
    ]);
    expect((await listWeeks(store, manager, seed.personId, 1)).map((w) => w.weekStart)).toEqual(["2025-03-17"]);
    await expect(listWeeks(store, dev, seed.personId, 0)).rejects.toMatchObject({ code: "USAGE" });
    await expect(listWeeks(store, dev, seed.otherPersonId)).rejects.toBeInstanceOf(WeekAccessError);
    await expect(listWeeks(store, admin, 99_999)).rejects.toMatchObject({ code: "NOT_FOUND", message: "person 99999 not found" });
  });

  it("submitted weeks for the manager", async () => {
    const { store } = handle;
    await decideDevWeek();
    await submitWeek(store, dev, seed.personId, DAY);
    await submitWeek(store, { ...manager, now: NOW + 5 }, managerId, DAY);
    await acceptSuggestion(store, { personId: seed.otherPersonId, day: DAY, issueId: issue("PROJ-1") }, {}, decider());
    await submitWeek(store, { ...admin, now: NOW + 10 }, seed.otherPersonId, DAY);

    // The manager's own submitted week is not theirs to approve, so it is left out.
    expect((await listSubmittedWeeks(store, manager)).map((w) => [w.personName, w.weekStart])).toEqual([
      ["Dev One", DAY],
      ["Other Person", DAY],
    ]);
    expect((await listSubmittedWeeks(store, admin)).map((w) => w.personName)).toEqual(["Dev One", "Mia Manager", "Other Person"]);
  });

  it("merge drops the merged person's weeks", async () => {
    const { store } = handle;
    const { personId: duplicate } = await store.people.resolve({ source: "jira", externalId: "acc-dup", displayName: "Duplicate Entry" });
    await submitWeek(store, admin, duplicate, DAY);
    await submitWeek(store, otherManager, otherManagerId, DAY);
    await store.transaction((tx) => tx.people.merge(otherManagerId, duplicate));
    const rows = await store.db.selectFrom("week_reviews").select(["person_id", "week_start"]).execute();
    expect(rows).toEqual([{ person_id: otherManagerId, week_start: DAY }]);
  });
});
