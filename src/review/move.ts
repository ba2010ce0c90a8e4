import { WorklensError } from "../domain/errors.js";
import { dayOf } from "../domain/time.js";
import type { ReviewRecord } from "../store/review-repository.js";
import type { Store } from "../store/store.js";
import {
  acceptInTransaction,
  checkSeconds,
  defaultStart,
  MIN_WORKLOG_SECONDS,
  personZone,
  rejectInTransaction,
  requireUndecided,
  targetIssue,
  type Decider,
  type SuggestionRef,
} from "./decide.js";
import { requireUnlockedWeek } from "./weeks.js";

export interface MoveRequest {
  /** Key of the issue that gets the moved time. */
  toIssueKey: string;
  seconds: number;
  /** Comment of the moved time's worklog. */
  comment?: string | undefined;
}

export interface MoveOutcome {
  /** The decision on the source suggestion: edited, or rejected when all of a linked suggestion's time moved. */
  review: ReviewRecord;
  targetIssueId: number;
  /** The confirmed worklog of the moved time, on the target issue. */
  movedWorklogId: number;
}

/**
 * Moves time of a pending suggestion to another issue on the same day, in one
 * transaction with its audit entry "suggestion.move".
 *
 * From a linked suggestion, the rest stays on its issue: the suggestion is accepted as
 * edited with the seconds left, or rejected when all of its time moves, and the target
 * issue gets a confirmed worklog of the moved seconds of its own. Unlinked time has no
 * issue to keep a rest on, so moving it is an edit onto the target issue. The moved
 * seconds are logged there and the rest of the unlinked time is not logged.
 */
export async function moveTime(store: Store, ref: SuggestionRef, request: MoveRequest, by: Decider): Promise<MoveOutcome> {
  return store.transaction(async (tx) => {
    await requireUnlockedWeek(tx, ref.personId, ref.day);
    const suggestion = await requireUndecided(tx, ref);
    const targetIssueId = await targetIssue(tx, suggestion, request.toIssueKey);
    if (targetIssueId === suggestion.issueId) {
      throw new WorklensError("USAGE", `toIssueKey ${request.toIssueKey} is the suggestion's own issue`, "name another issue to move the time to, or edit the suggestion's seconds instead");
    }
    checkSeconds(request.seconds);
    if (request.seconds > suggestion.seconds) {
      throw new WorklensError("USAGE", `seconds ${String(request.seconds)} is more than the suggestion's ${String(suggestion.seconds)}`, `move at most ${String(suggestion.seconds)} seconds`);
    }

    let review: ReviewRecord;
    let movedWorklogId: number;
    if (suggestion.issueId === null) {
      const accepted = await acceptInTransaction(tx, ref, { issueKey: request.toIssueKey, seconds: request.seconds, comment: request.comment }, by);
      review = accepted.review;
      movedWorklogId = accepted.worklogId;
    } else {
      const rest = suggestion.seconds - request.seconds;
      if (rest > 0 && rest < MIN_WORKLOG_SECONDS) {
        throw new WorklensError(
          "USAGE",
          `moving ${String(request.seconds)} of ${String(suggestion.seconds)} seconds would leave ${String(rest)} seconds, under Jira's minimum worklog of one minute`,
          `move all ${String(suggestion.seconds)} seconds, or at most ${String(suggestion.seconds - MIN_WORKLOG_SECONDS)}`,
        );
      }
      const tz = await personZone(tx, ref.personId);
      const start = defaultStart(suggestion, tz);
      let startedAt = start;
      if (rest === 0) {
        review = await rejectInTransaction(tx, ref, by);
      } else {
        review = (await acceptInTransaction(tx, ref, { seconds: rest }, by)).review;
        // The moved time follows the time that stays, unless that would end past midnight.
        const after = start + rest * 1000;
        if (dayOf(after, tz) === ref.day) startedAt = after;
      }
      movedWorklogId = await tx.worklogs.insertConfirmed({
        issueId: targetIssueId,
        personId: ref.personId,
        startedAt,
        tz,
        day: ref.day,
        seconds: request.seconds,
        comment: request.comment ?? null,
      });
    }

    await tx.audit.append({
      at: by.now,
      actor: by.decidedBy,
      action: "suggestion.move",
      subject: `person:${String(ref.personId)}`,
      details: { day: ref.day, fromIssueId: ref.issueId, toIssueId: targetIssueId, seconds: request.seconds, decision: review.decision, worklogId: movedWorklogId },
    });
    return { review, targetIssueId, movedWorklogId };
  });
}
