import { acceptSuggestion, MIN_WORKLOG_SECONDS, rejectSuggestion, type Decider } from "../review/decide.js";
import { simulateCorrections, type CorrectionDecision } from "../simulate/corrections.js";
import { loadNamedSuggestions } from "../simulate/evaluate.js";
import type { TruthRow } from "../simulate/truth.js";
import type { Store } from "../store/store.js";

/** Counts of the simulated decisions stored through the review service. */
export interface AppliedCorrections {
  accepted: number;
  edited: number;
  rejected: number;
  /**
   * Decisions a person could not store: accepting time linked to no issue (the API
   * needs an issue key for that), and accepting a suggestion under Jira's one-minute minimum.
   */
  skipped: number;
}

export interface ApplyCorrectionsOptions {
  /** First and last day of the suggestions to review, both included. */
  from: string;
  to: string;
  seed: number;
  /** Share of suggestions reviewed at all, from 0 to 1. */
  share: number;
}

/**
 * Reviews the stored suggestions of the days from `from` to `to` as simulated people
 * would (`simulateCorrections`), and stores each decision through the review service
 * that the API's accept, edit and reject routes call. Accepts and edits therefore
 * store a review and a confirmed worklog, and rejects store a review.
 */
export async function applySimulatedCorrections(store: Store, truth: readonly TruthRow[], options: ApplyCorrectionsOptions): Promise<AppliedCorrections> {
  const suggestions = await loadNamedSuggestions(store, options.from, options.to);
  const decisions = simulateCorrections(suggestions, truth, { seed: options.seed, share: options.share });
  const issueIds = await store.issues.idsByKey();
  const applied: AppliedCorrections = { accepted: 0, edited: 0, rejected: 0, skipped: 0 };

  for (const decision of decisions) {
    if (decision.personId === undefined) {
      applied.skipped += 1;
      continue;
    }
    const issueId = decision.issueKey === null ? null : (issueIds.get(decision.issueKey) ?? null);
    const ref = { personId: decision.personId, day: decision.day, issueId };
    const by = reviewer(decision.personId, decision.day);
    if (decision.action === "reject") {
      await rejectSuggestion(store, ref, by);
      applied.rejected += 1;
      continue;
    }
    if (issueId === null || decision.seconds < MIN_WORKLOG_SECONDS) {
      applied.skipped += 1;
      continue;
    }
    const { review } = await acceptSuggestion(store, ref, changeOf(decision), by);
    // An edit to the suggestion's own seconds is stored as a plain accept.
    if (review.decision === "edited") applied.edited += 1;
    else applied.accepted += 1;
  }
  return applied;
}

/** Returns the change of a decision: an edit changes only the seconds, as a person correcting the time in the review screen does. */
function changeOf(decision: CorrectionDecision): { seconds?: number } {
  return decision.action === "edit" ? { seconds: decision.seconds } : {};
}

/** Returns the person as the decider, at 18:00 UTC of the day after: a fixed instant, so runs repeat exactly. */
function reviewer(personId: number, day: string): Decider {
  return { decidedBy: `person:${String(personId)}`, now: Date.parse(`${day}T18:00:00Z`) + 86_400_000 };
}
