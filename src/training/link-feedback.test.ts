import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAllocation } from "../allocation/run-allocation.js";
import type { LinkRecord } from "../domain/types.js";
import { loadLinkingInput } from "../linking/run-linking.js";
import { acceptSuggestion, rejectSuggestion } from "../review/decide.js";
import { moveTime } from "../review/move.js";
import type { Store } from "../store/store.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { deriveLinkFeedback, type LinkFeedbackReport } from "./link-feedback.js";

const ZONE = "Europe/Berlin";
const DAY = "2025-03-10";
const by = { decidedBy: "person:1", now: Date.parse("2025-03-11T17:00:00Z") };

/** Half-hour meetings of one person; `link` is the issue the ranker chose, `key` an issue the title names. */
const PLAN = [
  { uid: "accepted", at: "2025-03-10T07:00:00Z", link: "PROJ-1" },
  { uid: "edited", at: "2025-03-10T08:00:00Z", link: "PROJ-2" },
  { uid: "rejected", at: "2025-03-10T09:00:00Z", link: "PROJ-3" },
  { uid: "moved-all", at: "2025-03-10T10:00:00Z", link: "PROJ-4" },
  { uid: "edited-elsewhere", at: "2025-03-10T11:00:00Z", link: "PROJ-6" },
  { uid: "moved-part", at: "2025-03-10T12:00:00Z", link: "PROJ-7" },
  { uid: "named", at: "2025-03-10T13:00:00Z", link: "PROJ-1", key: "PROJ-1" },
  { uid: "unlinked", at: "2025-03-10T14:00:00Z" },
  { uid: "not-reviewed", at: "2025-03-11T07:00:00Z", link: "PROJ-1" },
] as const satisfies readonly { uid: string; at: string; link?: string; key?: string }[];

interface Seeded {
  issue: (key: string) => number;
  /** Activity id by the plan's uid. */
  activity: (uid: string) => number;
  personId: number;
}

async function seed(store: Store): Promise<Seeded> {
  const actor = { source: "ics" as const, externalId: "dev@example.com", email: "dev@example.com", tz: ZONE };
  const { personId, identityId } = await store.people.resolve(actor);
  await store.people.setTimeZone(personId, ZONE);

  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    await store.issues.upsert(
      { sourceId: String(30_000 + n), key: `PROJ-${String(n)}`, projectKey: "PROJ", isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: `Issue ${String(n)}`, description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
  }
  const issueIds = await store.issues.idsByKey();
  const issue = (key: string) => issueIds.get(key) ?? -1;

  await store.activities.insert(
    PLAN.map((p) => ({
      sourceUid: p.uid,
      source: "ics" as const,
      kind: "meeting" as const,
      actor,
      personId,
      identityId,
      startAt: Date.parse(p.at),
      endAt: Date.parse(p.at) + 30 * 60_000,
      tz: ZONE,
      dateOnly: false,
      explicitKeys: "key" in p ? [p.key] : [],
      text: {},
    })),
  );

  // Stored records carry no source uid; every planned meeting starts at its own instant.
  const stored = await store.activities.list();
  const uidOf = new Map(PLAN.map((p) => [Date.parse(p.at), p.uid]));
  const ids = new Map(stored.map((a) => [uidOf.get(a.startAt) ?? "", a.id]));
  const activity = (uid: string) => ids.get(uid) ?? -1;

  const links: LinkRecord[] = PLAN.flatMap((p) =>
    "link" in p ? [{ activityId: activity(p.uid), issueId: issue(p.link), rank: 0, score: 1, confidence: "key" in p ? 0.99 : 0.8, method: "key" in p ? ("explicit" as const) : ("ranked" as const), evidence: [] }] : [],
  );
  await store.results.replaceLinks(stored.map((a) => a.id), links);
  await runAllocation(store, { from: DAY, to: "2025-03-11" });
  return { issue, activity, personId };
}

/** Returns the report's labels by activity id, with issue ids as sorted arrays. */
function labelsOf(report: LinkFeedbackReport): Map<number, { right: number[]; wrong: number[] }> {
  const sorted = (ids: ReadonlySet<number>) => [...ids].sort((a, b) => a - b);
  return new Map(report.feedback.map((f) => [f.activity.id, { right: sorted(f.right), wrong: sorted(f.wrong) }]));
}

describe.each(BACKENDS)("deriveLinkFeedback on %s", (backend) => {
  let handle: TestStore;
  let seeded: Seeded;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    seeded = await seed(handle.store);
    const { store } = handle;
    const { issue, personId } = seeded;
    const ref = (key: string | null) => ({ personId, day: DAY, issueId: key === null ? null : issue(key) });
    // PROJ-1 contains the "accepted" and the "named" meeting: an hour.
    await acceptSuggestion(store, ref("PROJ-1"), {}, by);
    await acceptSuggestion(store, ref("PROJ-2"), { seconds: 1200 }, by);
    await rejectSuggestion(store, ref("PROJ-3"), by);
    await moveTime(store, ref("PROJ-4"), { toIssueKey: "PROJ-5", seconds: 1800 }, by);
    await acceptSuggestion(store, ref("PROJ-6"), { issueKey: "PROJ-1" }, by);
    await moveTime(store, ref("PROJ-7"), { toIssueKey: "PROJ-3", seconds: 600 }, by);
    await acceptSuggestion(store, ref(null), { issueKey: "PROJ-2" }, by);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("reads each decision as a label of the ranked activities", async () => {
    const { store } = handle;
    const { issue, activity } = seeded;

    const report = await deriveLinkFeedback(store, await loadLinkingInput(store));

    expect(report).toMatchObject({ reviews: 7, unlinkedReviews: 1, reviewsWithoutActivities: 0, moves: 2 });
    const labels = labelsOf(report);
    const ids = (...keys: string[]) => keys.map(issue).sort((a, b) => a - b);
    expect(labels.get(activity("accepted"))).toEqual({ right: ids("PROJ-1"), wrong: [] });
    expect(labels.get(activity("edited"))).toEqual({ right: ids("PROJ-2"), wrong: [] });
    expect(labels.get(activity("rejected"))).toEqual({ right: [], wrong: ids("PROJ-3") });
    expect(labels.get(activity("moved-all"))).toEqual({ right: ids("PROJ-5"), wrong: ids("PROJ-4") });
    expect(labels.get(activity("edited-elsewhere"))).toEqual({ right: ids("PROJ-1"), wrong: ids("PROJ-6") });
    expect(labels.get(activity("moved-part"))).toEqual({ right: ids("PROJ-3", "PROJ-7"), wrong: [] });
    // A named key is already a label, unlinked time names no ranked issue, and an unreviewed day gives no label.
    expect(labels.has(activity("named"))).toBe(false);
    expect(labels.has(activity("unlinked"))).toBe(false);
    expect(labels.has(activity("not-reviewed"))).toBe(false);
    expect(labels.size).toBe(6);
  });

  it("keeps a label from the suggestion's evidence once the activity is linked elsewhere", async () => {
    const { store } = handle;
    const { issue, activity } = seeded;
    // A new model leaves the rejected meeting unlinked; the suggestions are not allocated again yet.
    await store.results.replaceLinks([activity("rejected")], []);

    const labels = labelsOf(await deriveLinkFeedback(store, await loadLinkingInput(store)));

    expect(labels.get(activity("rejected"))).toEqual({ right: [], wrong: [issue("PROJ-3")] });
  });

  it("reads only the reviews of the window", async () => {
    const { store } = handle;
    const input = await loadLinkingInput(store);

    expect((await deriveLinkFeedback(store, input, { from: "2025-03-11", to: "2025-03-12" })).feedback).toEqual([]);
    expect((await deriveLinkFeedback(store, input, { from: DAY, to: DAY })).feedback).toHaveLength(6);
  });
});
