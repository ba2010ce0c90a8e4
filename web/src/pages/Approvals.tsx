import { useEffect, useId, useState } from "react";
import { Link } from "react-router-dom";
import { api } from "../api.js";
import { ErrorAlert, toShownError, type ShownError } from "../components/week/ErrorAlert.js";
import { formatHours, formatInstant, formatWeekRange } from "../components/week/format.js";
import type { WeekReview } from "../components/week/types.js";
import "../components/week/week.css";

type Decision = "approve" | "reject" | "reopen";

function weekKey(week: WeekReview): string {
  return `${String(week.personId)}-${week.weekStart}`;
}

/**
 * The manager's queue of submitted weeks. Weeks decided here stay listed until the page
 * is left, with their new status, so an approval made by mistake can be reopened.
 */
export function ApprovalsPage() {
  const [weeks, setWeeks] = useState<WeekReview[]>();
  const [decided, setDecided] = useState<WeekReview[]>([]);
  const [error, setError] = useState<ShownError>();
  const [notice, setNotice] = useState<string>();
  const [busyKey, setBusyKey] = useState<string>();
  const [reloadCount, setReloadCount] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.get<{ data: WeekReview[] }>("/weeks/submitted").then(
      (response) => { if (!cancelled) setWeeks(response.data); },
      (failure: unknown) => {
        if (cancelled) return;
        setError(toShownError(failure));
        setWeeks((current) => current ?? []);
      },
    );
    return () => { cancelled = true; };
  }, [reloadCount]);

  async function decide(week: WeekReview, decision: Decision, comment: string): Promise<boolean> {
    if (decision === "reject" && comment === "") {
      setError({ message: `Comment is required to reject the week of ${week.weekStart} of ${week.personName}.`, hint: "write what the person should change" });
      return false;
    }
    setBusyKey(weekKey(week));
    setError(undefined);
    setNotice(undefined);
    try {
      const body = comment === "" ? {} : { comment };
      const response = await api.post<{ data: WeekReview }>(`/weeks/${week.weekStart}/${decision}?person=${String(week.personId)}`, body);
      const updated = response.data;
      setDecided((current) => [updated, ...current.filter((w) => weekKey(w) !== weekKey(updated))]);
      setNotice(`The week of ${updated.weekStart} of ${updated.personName} is ${updated.status}.`);
      return true;
    } catch (failure: unknown) {
      setError(toShownError(failure));
      return false;
    } finally {
      setBusyKey(undefined);
      setReloadCount((count) => count + 1);
    }
  }

  const decidedKeys = new Set(decided.map(weekKey));
  const waiting = (weeks ?? []).filter((week) => !decidedKeys.has(weekKey(week)) || week.status === "submitted");
  const shownDecided = decided.filter((week) => !waiting.some((w) => weekKey(w) === weekKey(week)));

  return (
    <div className="wk-approvals">
      <h1>Approvals</h1>
      <ErrorAlert error={error} onDismiss={() => { setError(undefined); }} />
      {notice !== undefined && (
        <p className="wk-notice" role="status">
          {notice}
        </p>
      )}
      {weeks === undefined ? (
        <p role="status">Loading submitted weeks…</p>
      ) : (
        <ApprovalTable
          caption="Submitted weeks waiting for a decision"
          empty="No weeks wait for approval."
          weeks={waiting}
          busyKey={busyKey}
          onDecide={decide}
        />
      )}
      {shownDecided.length > 0 && <ApprovalTable caption="Decided on this page" empty="" weeks={shownDecided} busyKey={busyKey} onDecide={decide} />}
    </div>
  );
}

interface ApprovalTableProps {
  caption: string;
  empty: string;
  weeks: readonly WeekReview[];
  busyKey: string | undefined;
  onDecide: (week: WeekReview, decision: Decision, comment: string) => Promise<boolean>;
}

function ApprovalTable({ caption, empty, weeks, busyKey, onDecide }: ApprovalTableProps) {
  if (weeks.length === 0) return <p className="wk-note">{empty}</p>;
  return (
    <table className="wk-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Person</th>
          <th scope="col">Week</th>
          <th scope="col">Hours</th>
          <th scope="col">Submitted</th>
          <th scope="col">Status</th>
          <th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <ApprovalRow key={weekKey(week)} week={week} busy={busyKey === weekKey(week)} onDecide={onDecide} />
        ))}
      </tbody>
    </table>
  );
}

function ApprovalRow({ week, busy, onDecide }: { week: WeekReview; busy: boolean; onDecide: ApprovalTableProps["onDecide"] }) {
  const id = useId();
  const [comment, setComment] = useState("");

  async function act(decision: Decision): Promise<void> {
    if (await onDecide(week, decision, comment.trim())) setComment("");
  }

  return (
    <tr>
      <th scope="row">{week.personName}</th>
      <td>
        <Link to={`/week?person=${String(week.personId)}&week=${week.weekStart}`}>
          {formatWeekRange(week.weekStart, week.weekEnd)}
        </Link>
      </td>
      <td>
        {formatHours(week.confirmedSeconds)} confirmed
        <span className="wk-cell-sub">{formatHours(week.suggestedSeconds)} suggested</span>
      </td>
      <td>{week.submittedAt === null ? "—" : `${formatInstant(week.submittedAt, null)} UTC`}</td>
      <td>
        <span className={`wk-week-status wk-week-status-${week.status}`}>{week.status}</span>
        {week.comment !== null && week.comment !== "" && <span className="wk-cell-sub">“{week.comment}”</span>}
      </td>
      <td>
        <div className="wk-decision">
        <label htmlFor={`${id}-comment`}>Comment</label>
        <input id={`${id}-comment`} value={comment} maxLength={4000} onChange={(event) => { setComment(event.target.value); }} />
        {week.status === "submitted" && (
          <>
            <button type="button" className="wk-button wk-primary" disabled={busy} onClick={() => void act("approve")}>
              Approve
            </button>
            <button type="button" className="wk-button wk-danger" disabled={busy} onClick={() => void act("reject")}>
              Reject
            </button>
          </>
        )}
        {week.status === "approved" && (
          <button type="button" className="wk-button" disabled={busy} onClick={() => void act("reopen")}>
            Reopen
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}
