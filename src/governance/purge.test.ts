import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAllocation } from "../allocation/run-allocation.js";
import { runLinking } from "../linking/run-linking.js";
import { RETENTION_SETTING } from "../privacy/retention.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { verifyAuditLog } from "./audit-verify.js";
import { purgeExpired, type PurgeReport } from "./purge.js";
import { readRetentionPolicy, setRetentionDays } from "./retention-settings.js";
import { SEED_FROM, SEED_TO, seedTwoPeople } from "./test-support/two-people.js";

const DAY_MS = 86_400_000;
/** The seed's commits are 10:00 and 11:30 (A) and 13:00 and 15:00 (B) on this day. */
const MIDDAY = Date.UTC(2025, 2, 10, 12);
/** 30 days after MIDDAY, so a 30-day class cuts at MIDDAY. */
const NOW = MIDDAY + 30 * DAY_MS;

type Table = "activities" | "activity_texts" | "links" | "issue_events" | "issue_event_texts" | "suggestions" | "reviews" | "worklogs" | "worklog_texts" | "webhook_deliveries" | "model_drift" | "audit_log";
const TABLES: readonly Table[] = ["activities", "activity_texts", "links", "issue_events", "issue_event_texts", "suggestions", "reviews", "worklogs", "worklog_texts", "webhook_deliveries", "model_drift", "audit_log"];

async function counts(t: TestStore): Promise<Record<Table, number>> {
  const result = {} as Record<Table, number>;
  for (const table of TABLES) {
    const row = await t.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    result[table] = Number(row.n);
  }
  return result;
}

function removed(report: PurgeReport, dataClass: string): Record<string, number> | undefined {
  return report.classes.find((c) => c.dataClass === dataClass)?.removed;
}

describe.each(BACKENDS)("retention purge (%s)", (backend) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(backend);
    await seedTwoPeople(t.store);
    await t.store.webhooks.recordDelivery("github", "old-delivery", MIDDAY - 2 * DAY_MS);
    await t.store.webhooks.recordDelivery("github", "new-delivery", NOW - DAY_MS);
    for (const checkedAt of [MIDDAY - DAY_MS, NOW - DAY_MS]) {
      await t.store.models.recordDrift({ kind: "time", modelId: null, checkedAt, window: { from: "2025-02-01", to: "2025-02-28" }, n: 10, error: 0.5, baselineError: 0.4, drifted: false, action: "none" });
    }
    for (const at of [MIDDAY - 2 * DAY_MS, MIDDAY - DAY_MS, NOW - DAY_MS]) await t.store.audit.append({ at, actor: "cli", action: "read.people" });
    // The seed may have audited its own steps at the wall clock's time; those are newer than every cut-off here.
    const policy = { raw_events: 31, derived: 30, suggestions: 29, worklogs: 30, audit: 30 } as const;
    for (const [name, days] of Object.entries(policy)) await setRetentionDays(t.store, name as keyof typeof policy, days, { actor: "cli", at: NOW - 2 * DAY_MS });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("removes rows older than each class allows", async () => {
    const before = await counts(t);
    const report = await purgeExpired(t.store, { now: NOW, actor: "cli" });

    // raw_events cuts at 2025-03-09 12:00: the two "created" issue actions of 2025-03-01 and their events.
    expect(removed(report, "raw_events")).toEqual({ activities: 2, links: 2, issue_events: 2, webhook_deliveries: 1 });
    // derived cuts at 2025-03-10 12:00: links of A's two commits and A's comment of 08:00.
    expect(removed(report, "derived")).toEqual({ links: 3, model_drift: 1 });
    // suggestions keep days from 2025-03-11 on, so both people's suggestions and reviews of 2025-03-10 go.
    expect(removed(report, "suggestions")?.["reviews"]).toBe(2);
    expect(removed(report, "suggestions")?.["suggestions"]).toBe(before.suggestions - (await counts(t)).suggestions);
    // The Jira worklog of 2025-03-03 goes. A's accepted worklog starts at 10:00, before the
    // cut-off, but waits for write-back, so it stays; B's starts at 13:00, after the cut-off.
    expect(removed(report, "worklogs")).toEqual({ worklogs: 1 });
    expect(report.classes.find((c) => c.dataClass === "worklogs")?.kept).toEqual({ "worklogs waiting for write-back": 1 });
    expect(removed(report, "audit")).toEqual({ audit_log: 2 });
    expect(report.classes.find((c) => c.dataClass === "raw_events")?.cutoff).toBe("2025-03-09T12:00:00.000Z");

    const after = await counts(t);
    expect(after.activities).toBe(before.activities - 2);
    expect(after.activity_texts).toBe(before.activity_texts - 2);
    expect(after.issue_events).toBe(before.issue_events - 2);
    expect(after.links).toBe(before.links - 5);
    expect(after.webhook_deliveries).toBe(1);
    expect(after.model_drift).toBe(1);
    expect(after.reviews).toBe(0);
    expect(after.worklogs).toBe(before.worklogs - 1);
    expect(after.worklog_texts).toBe(before.worklog_texts - 1);
  });

  it("appends one audit entry with the counts", async () => {
    const report = await purgeExpired(t.store, { now: NOW, actor: "system" });
    const entries = await t.store.db.selectFrom("audit_log").selectAll().where("action", "=", "privacy.purge").execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actor).toBe("system");
    const details = JSON.parse(entries[0]?.details ?? "{}") as { totalRemoved: number; removed: Record<string, Record<string, number>> };
    expect(details.totalRemoved).toBe(report.totalRemoved);
    expect(details.removed["worklogs"]).toEqual({ worklogs: 1 });
    expect((await verifyAuditLog(t.store)).intact).toBe(true);
  });

  it("dry run removes nothing", async () => {
    const before = await counts(t);
    const report = await purgeExpired(t.store, { now: NOW, actor: "cli", dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(removed(report, "worklogs")).toEqual({ worklogs: 1 });
    expect(removed(report, "audit")).toEqual({ audit_log: 2 });
    expect(await counts(t)).toEqual(before);
  });

  it("dry run counts what the purge removes", async () => {
    const dry = await purgeExpired(t.store, { now: NOW, actor: "cli", dryRun: true });
    const real = await purgeExpired(t.store, { now: NOW, actor: "cli" });
    for (const dataClass of ["raw_events", "derived", "suggestions", "worklogs"] as const) {
      expect(removed(dry, dataClass), dataClass).toEqual(removed(real, dataClass));
    }
    expect(dry.totalRemoved).toBe(real.totalRemoved);
  });

  it("removes nothing before the cut-offs", async () => {
    // Control: the same store, purged on the day of the seed, loses nothing.
    const before = await counts(t);
    const report = await purgeExpired(t.store, { now: Date.UTC(2025, 2, 13), actor: "cli" });
    expect(report.totalRemoved).toBe(0);
    const after = await counts(t);
    expect(after).toEqual({ ...before, audit_log: before.audit_log + 1 });
  });

  it("one-row batches give the same result", async () => {
    const report = await purgeExpired(t.store, { now: NOW, actor: "cli", batchSize: 1 });
    expect(removed(report, "raw_events")).toEqual({ activities: 2, links: 2, issue_events: 2, webhook_deliveries: 1 });
    expect(removed(report, "derived")).toEqual({ links: 3, model_drift: 1 });
    expect(removed(report, "worklogs")).toEqual({ worklogs: 1 });
  });

  it("linking and suggestions run after a purge", async () => {
    await purgeExpired(t.store, { now: NOW, actor: "cli" });
    await runLinking(t.store);
    await runAllocation(t.store, { from: SEED_FROM, to: SEED_TO });
    const second = await purgeExpired(t.store, { now: NOW, actor: "cli" });
    // Linking restored links of the activities that remain; the derived class removes them again, and nothing else is left to remove.
    expect(removed(second, "raw_events")).toEqual({ activities: 0, links: 0, issue_events: 0, webhook_deliveries: 0 });
    expect(removed(second, "worklogs")).toEqual({ worklogs: 0 });
    expect(removed(second, "audit")).toEqual({ audit_log: 0 });
  });

  it("keeps a class set to keep", async () => {
    await setRetentionDays(t.store, "worklogs", null, { actor: "cli", at: NOW });
    const report = await purgeExpired(t.store, { now: NOW, actor: "cli" });
    expect(report.classes.find((c) => c.dataClass === "worklogs")).toEqual({ dataClass: "worklogs", days: null, cutoff: null, removed: {}, kept: {} });
  });

  it("retention changes are audited", async () => {
    const entries = await t.store.db.selectFrom("audit_log").selectAll().where("action", "=", "settings.change").orderBy("seq").execute();
    expect(entries).toHaveLength(5);
    expect(JSON.parse(entries[0]?.details ?? "{}")).toEqual({ setting: RETENTION_SETTING, dataClass: "raw_events", from: 400, to: 31 });
    expect(await readRetentionPolicy(t.store)).toEqual({ raw_events: 31, derived: 30, suggestions: 29, worklogs: 30, audit: 30 });
  });

  it("invalid stored policy is a clear error", async () => {
    await t.store.settings.set(RETENTION_SETTING, JSON.stringify({ raw_events: -3 }));
    await expect(purgeExpired(t.store, { now: NOW, actor: "cli" })).rejects.toThrow(/settings row "privacy.retention" is invalid: raw_events: /);
    await t.store.settings.set(RETENTION_SETTING, "{not json");
    await expect(readRetentionPolicy(t.store)).rejects.toThrow(/settings row "privacy.retention" is not valid JSON/);
  });
});
