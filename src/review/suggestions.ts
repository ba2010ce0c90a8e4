import type { Evidence } from "../domain/types.js";
import type { ReviewDecision } from "../store/review-repository.js";
import type { Repositories } from "../store/store.js";
import type { WriteBackStatus } from "../store/worklog-repository.js";

export type SuggestionStatus = "pending" | ReviewDecision;

/** A suggested worklog as a person reviews it: the model's suggestion, the decision, and the worklog it became. */
export interface SuggestionView {
  personId: number;
  day: string;
  issueId: number | null;
  issueKey: string | null;
  seconds: number;
  confidence: number;
  evidence: Evidence[];
  status: SuggestionStatus;
  /**
   * True when a decided suggestion no longer matches what the model suggests now:
   * activity that arrived after the decision changed its seconds, or removed it.
   * The worklog keeps what the person accepted, so the day may need another look.
   */
  changedSinceReview: boolean;
  review: { id: number; decidedAt: number; decidedBy: string } | null;
  worklog: {
    id: number;
    issueKey: string;
    seconds: number;
    startedAt: number;
    writeBack: WriteBackStatus | null;
    remoteId: string | null;
    lastError: string | null;
  } | null;
}

export interface SuggestionQuery {
  personId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: SuggestionStatus | undefined;
}

/**
 * Suggestions of a range joined with the decisions on them. A decision whose
 * suggestion a later allocation run no longer produces is listed too, with the
 * seconds and confidence it was reviewed with, so nothing a person decided vanishes.
 */
export async function listSuggestions(store: Repositories, query: SuggestionQuery = {}): Promise<SuggestionView[]> {
  const range = { from: query.from, to: query.to };
  const [suggestions, reviews, worklogs, issues] = await Promise.all([
    store.results.suggestions(range.from, range.to),
    store.reviews.list({ ...range, personId: query.personId }),
    store.worklogs.list({ ...range, personId: query.personId, origin: "confirmed" }),
    store.issues.list(),
  ]);
  const keyOf = new Map(issues.map((i) => [i.id, i.key]));
  const worklogById = new Map(worklogs.map((w) => [w.id, w]));
  const reviewByKey = new Map(reviews.map((r) => [suggestionKey(r.personId, r.day, r.issueId), r]));

  const views: SuggestionView[] = [];
  const seen = new Set<string>();
  for (const s of suggestions) {
    if (query.personId !== undefined && s.personId !== query.personId) continue;
    const key = suggestionKey(s.personId, s.day, s.issueId);
    seen.add(key);
    const review = reviewByKey.get(key);
    views.push(view(s, review, review !== undefined && review.suggestedSeconds !== s.seconds));
  }
  for (const r of reviews) {
    if (seen.has(suggestionKey(r.personId, r.day, r.issueId))) continue;
    views.push(view({ personId: r.personId, day: r.day, issueId: r.issueId, seconds: r.suggestedSeconds, confidence: r.suggestedConfidence, evidence: [] }, r, true));
  }
  views.sort((a, b) => a.day.localeCompare(b.day) || a.personId - b.personId || (a.issueKey ?? "~").localeCompare(b.issueKey ?? "~"));
  return query.status === undefined ? views : views.filter((v) => v.status === query.status);

  function view(
    s: { personId: number; day: string; issueId: number | null; seconds: number; confidence: number; evidence: Evidence[] },
    review: Awaited<ReturnType<Repositories["reviews"]["list"]>>[number] | undefined,
    changedSinceReview: boolean,
  ): SuggestionView {
    const worklog = review?.worklogId == null ? undefined : worklogById.get(review.worklogId);
    return {
      personId: s.personId,
      day: s.day,
      issueId: s.issueId,
      issueKey: s.issueId === null ? null : (keyOf.get(s.issueId) ?? null),
      seconds: s.seconds,
      confidence: s.confidence,
      evidence: s.evidence,
      status: review?.decision ?? "pending",
      changedSinceReview,
      review: review === undefined ? null : { id: review.id, decidedAt: review.decidedAt, decidedBy: review.decidedBy },
      worklog:
        worklog === undefined
          ? null
          : {
              id: worklog.id,
              issueKey: worklog.issueKey,
              seconds: worklog.seconds,
              startedAt: worklog.startedAt,
              writeBack: worklog.writeBack,
              remoteId: worklog.remoteId,
              lastError: worklog.lastError,
            },
    };
  }
}

export function suggestionKey(personId: number, day: string, issueId: number | null): string {
  return `${String(personId)}|${day}|${issueId === null ? "-" : String(issueId)}`;
}
