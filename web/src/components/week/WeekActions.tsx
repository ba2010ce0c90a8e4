import { useId, useState } from "react";
import { toShownError, type ShownError } from "./ErrorAlert.js";
import { formatHours, formatInstant } from "./format.js";
import type { WeekReview } from "./types.js";

export interface WeekActionsProps {
  review: WeekReview | undefined;
  /** The error that kept the week's review from loading, shown in place of its status. */
  reviewError: unknown;
  pendingCount: number;
  isSelf: boolean;
  canDecide: boolean;
  /** True for a manager or administrator looking at another person's week. */
  canApprove: boolean;
  busy: boolean;
  blockedReason: string | undefined;
  onAcceptWeek: () => void;
  onSubmit: () => void;
  onWithdraw: () => void;
  onApprove: (comment: string) => void;
  onReject: (comment: string) => void;
  onReopen: (comment: string) => void;
  onInvalid: (error: ShownError) => void;
}

const SUBMITTABLE = new Set(["open", "rejected", "reopened"]);

/** The week's status and the steps of its review: accept all, submit, withdraw, and a manager's approve, reject and reopen. */
export function WeekActions(props: WeekActionsProps) {
  const { review, isSelf, canDecide, busy } = props;
  const id = useId();
  const [comment, setComment] = useState("");
  const status = review?.status;
  const reviewError = props.reviewError === undefined ? undefined : toShownError(props.reviewError);

  function reject(): void {
    if (comment.trim() === "") {
      props.onInvalid({ message: "Comment is required to reject a week.", hint: "write what the person should change" });
      return;
    }
    props.onReject(comment.trim());
    setComment("");
  }

  return (
    <section className="wk-actions" aria-label="Week review">
      <div className="wk-status-line">
        <span className="wk-status-label">Status</span>
        <span className={`wk-week-status wk-week-status-${status ?? "unknown"}`} data-testid="week-status">
          {status ?? "unknown"}
        </span>
        {review?.locked === true && <span className="wk-lock">locked</span>}
        {review !== undefined && (
          <span className="wk-status-detail">
            {review.pending} pending · {formatHours(review.suggestedSeconds)} suggested · {formatHours(review.confirmedSeconds)} confirmed
            {review.submittedAt !== null && ` · submitted ${formatInstant(review.submittedAt, null)} UTC`}
            {review.decidedAt !== null && ` · ${review.status} by ${review.decidedBy ?? "unknown"} ${formatInstant(review.decidedAt, null)} UTC`}
          </span>
        )}
        {reviewError !== undefined && <span className="wk-status-detail">The week's review could not be read: {reviewError.message}</span>}
      </div>
      {review !== undefined && review.comment !== null && review.comment !== "" && (
        <p className="wk-review-comment">
          <span className="wk-status-label">Manager's comment</span> {review.comment}
        </p>
      )}
      {props.blockedReason !== undefined && <p className="wk-blocked">{props.blockedReason}</p>}

      {canDecide && (
        <div className="wk-action-buttons">
          <button type="button" className="wk-button" disabled={busy || props.blockedReason !== undefined || props.pendingCount === 0} onClick={props.onAcceptWeek}>
            Accept week
          </button>
          <button type="button" className="wk-button wk-primary" disabled={busy || (status !== undefined && !SUBMITTABLE.has(status))} onClick={props.onSubmit}>
            Submit week
          </button>
          {isSelf && (
            <button type="button" className="wk-button" disabled={busy || status !== "submitted"} onClick={props.onWithdraw}>
              Withdraw
            </button>
          )}
          {props.pendingCount > 0 && status !== undefined && SUBMITTABLE.has(status) && (
            <span className="wk-note">{props.pendingCount} pending: accept, edit or reject them, or accept the week, before submitting.</span>
          )}
        </div>
      )}

      {props.canApprove && (status === "submitted" || status === "approved") && (
        <div className="wk-approve">
          <label htmlFor={`${id}-comment`}>Comment</label>
          <input id={`${id}-comment`} value={comment} maxLength={4000} onChange={(event) => { setComment(event.target.value); }} />
          {status === "submitted" ? (
            <>
              <button type="button" className="wk-button wk-primary" disabled={busy} onClick={() => { props.onApprove(comment.trim()); setComment(""); }}>
                Approve week
              </button>
              <button type="button" className="wk-button wk-danger" disabled={busy} onClick={reject}>
                Reject week
              </button>
            </>
          ) : (
            <button type="button" className="wk-button" disabled={busy} onClick={() => { props.onReopen(comment.trim()); setComment(""); }}>
              Reopen week
            </button>
          )}
        </div>
      )}
    </section>
  );
}
