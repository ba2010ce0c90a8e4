import { dayOf } from "../domain/time.js";
import type { ActivityRecord } from "../domain/types.js";
import type { LinkingInput } from "../linking/linker.js";
import type { LinkFeedback } from "../linking/train-ranker.js";
import { personZone } from "../review/decide.js";
import type { ReviewRecord } from "../store/review-repository.js";
import type { Store } from "../store/store.js";
import type { DayWindow } from "./trainer.js";

/** Labels of ranked links read from reviews, with counts of the reviews that gave none. */
export interface LinkFeedbackReport {
  feedback: LinkFeedback[];
  /** Reviews read. */
  reviews: number;
  /** Reviews of time linked to no issue, which give no label. */
  unlinkedReviews: number;
  /** Reviews whose suggestion has no ranked activity left, such as one made only of named keys. */
  reviewsWithoutActivities: number;
  /** Moves found in the audit log whose source review and target worklog still exist. */
  moves: number;
}

interface Verdict {
  right: Set<number>;
  wrong: Set<number>;
}

/**
 * Reads the reviews of `window` (all of them when absent) and returns the labels of
 * the ranked activities they cover.
 *
 * A suggestion is one person's time on one issue on one day, built from activities.
 * Its activities are those the ranker linked to the issue (rank 0, as allocation uses
 * them) whose start falls on that day in the person's zone, plus any the stored
 * suggestion names as evidence. Activities whose issue came from a named key are left
 * out: their key is already a label, and a review cannot overrule it.
 *
 * - accepted: the issue is right for every activity of the suggestion.
 * - edited with the same issue: the issue is right; only the seconds were wrong.
 * - edited onto another issue: the whole time went there, so the suggested issue is
 *   wrong and the other one right.
 * - moved (audit action "suggestion.move"): the target issue is right. When part of
 *   the time stayed (the source is edited), the source is right too. When all of it
 *   moved (the source is rejected), the source is wrong.
 * - rejected without a move: the person logged that time nowhere. The review screen
 *   offers a move for time on the wrong issue, so a plain rejection is read as "this
 *   time was no work on any issue", not "another issue": the suggested issue is wrong,
 *   and an activity with no right issue trains as one whose candidates are all wrong.
 *   A person may also reject time they did spend but do not want to log; that reading
 *   costs a link that would have been right, and the gate measures whether it pays.
 * - unlinked time gives no label: no ranked link chose its issue, and logging part of
 *   it on an issue does not say which of its activities were for that issue.
 *
 * The activities are read from the links current when the labels are derived. The
 * reviews table does not keep a suggestion's activities, so after the activities
 * are linked again with another model, an old review labels the activities that
 * model linked to its issue.
 */
export async function deriveLinkFeedback(store: Store, input: LinkingInput, window?: DayWindow): Promise<LinkFeedbackReport> {
  const reviews = await store.reviews.list(window ?? {});
  const confirmed = await store.worklogs.list({ ...(window ?? {}), origin: "confirmed" });
  const worklogs = new Map(confirmed.map((w) => [w.id, w]));
  const moves = await movesOf(store, reviews, confirmed);
  const verdicts = new Map<string, Verdict>();
  const verdictOf = (review: ReviewRecord, issueId: number): Verdict => {
    const key = suggestionKey(review.personId, review.day, issueId);
    const found = verdicts.get(key) ?? { right: new Set<number>(), wrong: new Set<number>() };
    verdicts.set(key, found);
    return found;
  };

  let unlinkedReviews = 0;
  for (const review of reviews) {
    if (review.issueId === null) {
      unlinkedReviews += 1;
      continue;
    }
    const verdict = verdictOf(review, review.issueId);
    const logged = review.worklogId === null ? undefined : worklogs.get(review.worklogId);
    const movedTo = moves.get(suggestionKey(review.personId, review.day, review.issueId)) ?? [];
    if (review.decision === "rejected") {
      verdict.wrong.add(review.issueId);
    } else if (review.decision === "edited" && logged !== undefined && logged.issueId !== review.issueId) {
      verdict.wrong.add(review.issueId);
      verdict.right.add(logged.issueId);
    } else {
      verdict.right.add(review.issueId);
    }
    for (const target of movedTo) verdict.right.add(target);
  }

  const activities = await suggestionActivities(store, input, [...verdicts.keys()], window);
  const byActivity = new Map<number, { activity: ActivityRecord; right: Set<number>; wrong: Set<number> }>();
  let reviewsWithoutActivities = 0;
  for (const [key, verdict] of verdicts) {
    const covered = activities.get(key) ?? [];
    if (covered.length === 0) reviewsWithoutActivities += 1;
    for (const activity of covered) {
      const labels = byActivity.get(activity.id) ?? { activity, right: new Set<number>(), wrong: new Set<number>() };
      for (const id of verdict.right) labels.right.add(id);
      for (const id of verdict.wrong) labels.wrong.add(id);
      byActivity.set(activity.id, labels);
    }
  }
  const feedback: LinkFeedback[] = [...byActivity.values()]
    .map(({ activity, right, wrong }) => ({ activity, right, wrong: new Set([...wrong].filter((id) => !right.has(id))) }))
    .sort((a, b) => a.activity.startAt - b.activity.startAt || a.activity.id - b.activity.id);
  return { feedback, reviews: reviews.length, unlinkedReviews, reviewsWithoutActivities, moves: [...moves.values()].reduce((n, list) => n + list.length, 0) };
}

/**
 * Returns, per suggestion key, the target issues that time of that suggestion was
 * moved to. A move counts only while its source review and a confirmed worklog of the
 * person on the target issue that day still exist, so an undone move gives no label.
 */
async function movesOf(store: Store, reviews: readonly ReviewRecord[], confirmed: readonly { personId: number | null; day: string; issueId: number }[]): Promise<Map<string, number[]>> {
  const reviewed = new Set(reviews.flatMap((r) => (r.issueId === null ? [] : [suggestionKey(r.personId, r.day, r.issueId)])));
  const logged = new Set(confirmed.flatMap((w) => (w.personId === null ? [] : [suggestionKey(w.personId, w.day, w.issueId)])));
  const moves = new Map<string, number[]>();
  let afterSeq = 0;
  for (;;) {
    const page = await store.audit.list({ action: "suggestion.move", afterSeq, limit: 1000 });
    for (const entry of page) {
      const move = parseMove(entry.subject, entry.details);
      if (move === undefined || move.fromIssueId === null) continue;
      const source = suggestionKey(move.personId, move.day, move.fromIssueId);
      if (!reviewed.has(source) || !logged.has(suggestionKey(move.personId, move.day, move.toIssueId))) continue;
      moves.set(source, [...(moves.get(source) ?? []), move.toIssueId]);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < 1000) break;
    afterSeq = last.seq;
  }
  return moves;
}

/** Reads a "suggestion.move" entry as moveTime writes it; undefined for an entry of another shape. */
function parseMove(subject: string | null, details: Record<string, unknown>): { personId: number; day: string; fromIssueId: number | null; toIssueId: number } | undefined {
  const person = /^person:(\d+)$/.exec(subject ?? "");
  const { day, fromIssueId, toIssueId } = details;
  if (person === null || typeof day !== "string" || typeof toIssueId !== "number") return undefined;
  return { personId: Number(person[1]), day, fromIssueId: typeof fromIssueId === "number" ? fromIssueId : null, toIssueId };
}

/**
 * Returns the activities of each reviewed suggestion key that ranking linked: rank-0
 * ranked links on the person's local day, and the stored suggestion's evidence.
 * Activities with a named key of an imported issue, or with an explicit link, are left out.
 */
async function suggestionActivities(store: Store, input: LinkingInput, keys: readonly string[], window: DayWindow | undefined): Promise<Map<string, ActivityRecord[]>> {
  const wanted = new Set(keys);
  const importedKeys = new Set(input.issues.map((i) => i.key));
  const byId = new Map(input.activities.map((a) => [a.id, a]));
  const links = await store.results.links();
  const explicit = new Set(links.filter((l) => l.method === "explicit").map((l) => l.activityId));
  const ranked = (activity: ActivityRecord | undefined): activity is ActivityRecord =>
    activity !== undefined && !explicit.has(activity.id) && !activity.explicitKeys.some((k) => importedKeys.has(k));

  const zones = new Map<number, string>();
  const zoneOf = async (personId: number) => {
    const known = zones.get(personId);
    if (known !== undefined) return known;
    const zone = await personZone(store, personId);
    zones.set(personId, zone);
    return zone;
  };

  const found = new Map<string, Map<number, ActivityRecord>>();
  const add = (key: string, activity: ActivityRecord) => {
    if (!wanted.has(key)) return;
    const list = found.get(key) ?? new Map<number, ActivityRecord>();
    list.set(activity.id, activity);
    found.set(key, list);
  };
  for (const link of links) {
    if (link.method !== "ranked" || link.rank !== 0) continue;
    const activity = byId.get(link.activityId);
    if (!ranked(activity)) continue;
    add(suggestionKey(activity.personId, dayOf(activity.startAt, await zoneOf(activity.personId)), link.issueId), activity);
  }
  for (const suggestion of await store.results.suggestions(window?.from, window?.to)) {
    if (suggestion.issueId === null) continue;
    const key = suggestionKey(suggestion.personId, suggestion.day, suggestion.issueId);
    for (const evidence of suggestion.evidence) {
      const activity = evidence.activityId === undefined ? undefined : byId.get(evidence.activityId);
      if (ranked(activity)) add(key, activity);
    }
  }
  return new Map([...found].map(([key, list]) => [key, [...list.values()]]));
}

function suggestionKey(personId: number, day: string, issueId: number): string {
  return `${String(personId)}|${day}|${String(issueId)}`;
}
