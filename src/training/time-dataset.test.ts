import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allocate, DEFAULT_ALLOCATION_OPTIONS } from "../allocation/allocate.js";
import { runAllocation } from "../allocation/run-allocation.js";
import { TIME_FEATURE_NAMES } from "../allocation/time-features.js";
import { TimeModel } from "../allocation/time-model.js";
import type { ActivityKind, LinkRecord, Source } from "../domain/types.js";
import { loadXGBoost } from "../ml/index.js";
import { acceptSuggestion, rejectSuggestion } from "../review/decide.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import type { Store } from "../store/store.js";
import { buildTimeDataset } from "./time-dataset.js";
import { generateTimeWorld, labelledRowsOf } from "./time-synthetic.js";
import { trainTimeModel } from "./time-training.js";

const ZONE = "Europe/Berlin";
const SOURCE_OF_KIND = { commit: "git", meeting: "ics", ide_heartbeat: "wakatime" } as const satisfies Partial<Record<ActivityKind, Source>>;
const by = { decidedBy: "person:1", now: Date.parse("2025-03-13T08:00:00Z") };

interface Seeded {
  personId: number;
  issue: (key: string) => number;
}

/**
 * Store one person in Berlin with work on 2025-03-10: two commits on PROJ-1, one on PROJ-2
 * and PROJ-3, heartbeats on PROJ-1, and an unlinked meeting.
 */
async function seed(store: Store): Promise<Seeded> {
  const actor = { source: "jira" as const, externalId: "acc-dev", displayName: "Dev One", tz: ZONE };
  const { personId, identityId } = await store.people.resolve(actor);
  await store.people.setTimeZone(personId, ZONE);
  for (const [n, key] of ["PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4"].entries()) {
    await store.issues.upsert(
      { sourceId: String(20_000 + n), key, projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: key, description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
  }
  const ids = await store.issues.idsByKey();
  const issue = (key: string) => ids.get(key) ?? -1;

  const planned: { uid: string; kind: keyof typeof SOURCE_OF_KIND; at: string; end?: string; key?: string }[] = [
    { uid: "c1", kind: "commit", at: "2025-03-10T08:00:00Z", key: "PROJ-1" },
    { uid: "c2", kind: "commit", at: "2025-03-10T09:30:00Z", key: "PROJ-1" },
    { uid: "c3", kind: "commit", at: "2025-03-10T11:00:00Z", key: "PROJ-2" },
    { uid: "c4", kind: "commit", at: "2025-03-10T14:00:00Z", key: "PROJ-3" },
    { uid: "m1", kind: "meeting", at: "2025-03-10T12:00:00Z", end: "2025-03-10T12:30:00Z" },
    ...[0, 5, 10, 15, 20].map((m) => ({ uid: `h${String(m)}`, kind: "ide_heartbeat" as const, at: new Date(Date.parse("2025-03-10T09:30:00Z") + m * 60_000).toISOString(), key: "PROJ-1" })),
  ];
  await store.activities.insert(
    planned.map((p) => ({
      sourceUid: p.uid,
      source: SOURCE_OF_KIND[p.kind],
      kind: p.kind,
      actor,
      personId,
      identityId,
      startAt: Date.parse(p.at),
      endAt: Date.parse(p.end ?? p.at),
      tz: ZONE,
      dateOnly: false,
      explicitKeys: p.key === undefined ? [] : [p.key],
      text: {},
    })),
  );
  const stored = await store.activities.list();
  // Stored records carry no source uid, and no two planned activities share a kind and start.
  const keyOf = new Map(planned.map((p) => [`${p.kind}|${String(Date.parse(p.at))}`, p.key]));
  const links: LinkRecord[] = stored.flatMap((a) => {
    const key = keyOf.get(`${a.kind}|${String(a.startAt)}`);
    return key === undefined ? [] : [{ activityId: a.id, issueId: issue(key), rank: 0, score: 1, confidence: 0.99, method: "explicit" as const, evidence: [] }];
  });
  await store.results.replaceLinks(stored.map((a) => a.id), links);
  return { personId, issue };
}

describe.each(BACKENDS)("time dataset on %s", (backend) => {
  let handle: TestStore;
  let seeded: Seeded;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    seeded = await seed(handle.store);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("labels reviews and Jira worklogs", async () => {
    const { store } = handle;
    const { personId, issue } = seeded;
    const allocation = await runAllocation(store, { from: "2025-03-10", to: "2025-03-10" });
    const suggested = allocation.suggestions.find((s) => s.issueId === issue("PROJ-1"))?.seconds ?? -1;
    const day = "2025-03-10";
    await acceptSuggestion(store, { personId, day, issueId: issue("PROJ-1") }, {}, by);
    await acceptSuggestion(store, { personId, day, issueId: issue("PROJ-2") }, { seconds: 5400 }, by);
    await rejectSuggestion(store, { personId, day, issueId: issue("PROJ-3") }, by);
    // 23:30 UTC on the 11th is 00:30 on the 12th in Berlin, the person's zone.
    await store.issues.upsertWorklog({ sourceId: "jira:worklog:1", issueId: issue("PROJ-4"), personId, startedAt: Date.parse("2025-03-11T23:30:00Z"), tz: "UTC", day: "2025-03-11", seconds: 3600, origin: "jira", comment: null });

    const rows = await buildTimeDataset(store, { from: "2025-03-10", to: "2025-03-12" });
    expect(rows.map((r) => [r.day, r.issueId, r.label, r.labelSource])).toEqual([
      [day, issue("PROJ-1"), suggested, "accepted"],
      [day, issue("PROJ-2"), 5400, "edited"],
      [day, issue("PROJ-3"), 0, "rejected"],
      ["2025-03-12", issue("PROJ-4"), 3600, "jira"],
    ]);
    expect(rows[0]?.deterministicSeconds).toBe(suggested);
    expect(rows[0]?.values[TIME_FEATURE_NAMES.indexOf("commits")]).toBe(2);
    expect(rows[0]?.values[TIME_FEATURE_NAMES.indexOf("heartbeats")]).toBe(5);
    expect(rows[3]?.deterministicSeconds).toBe(0);
  });
});

describe.each(BACKENDS)("runAllocation with a time model on %s", (backend) => {
  let handle: TestStore;
  let model: TimeModel;

  beforeAll(() => {
    const rows = labelledRowsOf(generateTimeWorld(5, { people: 4, from: "2025-01-06", to: "2025-02-23" }));
    model = TimeModel.fromArtifact(trainTimeModel(loadXGBoost(), rows, { rounds: 100 }));
  });
  beforeEach(async () => {
    handle = await openTestStore(backend);
    await seed(handle.store);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("adds model evidence", async () => {
    const range = { from: "2025-03-10", to: "2025-03-10" };
    const plain = await runAllocation(handle.store, range);
    const modelled = await runAllocation(handle.store, range, DEFAULT_ALLOCATION_OPTIONS, model);
    const linked = modelled.suggestions.filter((s) => s.issueId !== null);
    expect(linked.length).toBeGreaterThan(0);
    for (const s of linked) {
      expect(s.seconds % 300).toBe(0);
      expect(s.evidence[0]?.kind).toBe("model:time");
      expect(s.evidence[0]?.detail).toMatch(/^model estimate \d+ (h|min).* \(.+ to .+\); most weight: /);
      expect(s.evidence.filter((e) => e.kind === "model:time")).toHaveLength(1);
    }
    expect(modelled.suggestions.filter((s) => s.issueId === null)).toEqual(plain.suggestions.filter((s) => s.issueId === null));
    expect(modelled.days).toEqual(plain.days);
    const byIssue = (a: { issueId: number | null }, b: { issueId: number | null }) => (a.issueId ?? 0) - (b.issueId ?? 0);
    const stored = await handle.store.results.suggestions("2025-03-10", "2025-03-10");
    expect(stored.sort(byIssue)).toEqual([...modelled.suggestions].sort(byIssue));
  });

  it("respects capacity", async () => {
    const options = { ...DEFAULT_ALLOCATION_OPTIONS, workdaySeconds: 3600 };
    const { suggestions } = await runAllocation(handle.store, { from: "2025-03-10", to: "2025-03-10" }, options, model);
    const total = suggestions.reduce((sum, s) => sum + s.seconds, 0);
    expect(total).toBeLessThanOrEqual(3600);
    expect(suggestions.every((s) => s.seconds >= 0)).toBe(true);
  });

  it("without a model matches the rules", async () => {
    const { store } = handle;
    const activities = await store.activities.list();
    const links = await store.results.links();
    const expected = allocate({ activities, links, zones: new Map((await store.people.list()).map((p) => [p.id, p.tz])) });
    const result = await runAllocation(store, { from: "2025-03-10", to: "2025-03-10" });
    expect(result.suggestions).toEqual(expected.suggestions);
    expect(result.suggestions.some((s) => s.evidence.some((e) => e.kind === "model:time"))).toBe(false);
  });
});
