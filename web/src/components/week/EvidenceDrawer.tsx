import { useEffect, useId, useRef, useState, type SyntheticEvent } from "react";
import { confidenceLevel, WRITE_BACK_LABELS } from "./cell-state.js";
import { ErrorAlert, type ShownError } from "./ErrorAlert.js";
import { formatDayLong, formatHours, formatInstant, formatPercent, formatTime, parseHours } from "./format.js";
import type { EvidenceItem, Suggestion } from "./types.js";

export type DrawerMode = "view" | "edit" | "move";

/** Limits of an edited worklog's time, as the server checks them (POST /suggestions/{id}/edit). */
const MIN_SECONDS = 60;
const MAX_SECONDS = 86_400;
const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/;

export interface EditRequest {
  seconds: number;
  issueKey?: string;
  comment?: string;
}

export interface MoveRequest {
  toIssueKey: string;
  seconds: number;
  comment?: string;
}

export interface EvidenceDrawerProps {
  suggestion: Suggestion;
  summary: string | undefined;
  /** IANA zone of the person's days, or null when none is set (times are then shown in UTC). */
  zone: string | null;
  mode: DrawerMode;
  onModeChange: (mode: DrawerMode) => void;
  /** The reason decisions are disabled (read-only view, locked week), or undefined when the viewer may decide. */
  blockedReason: string | undefined;
  busy: boolean;
  error: ShownError | undefined;
  issueKeys: readonly string[];
  onAccept: () => void;
  onReject: () => void;
  onEdit: (request: EditRequest) => void;
  onMove: (request: MoveRequest) => void;
  onUndo: () => void;
  onRetry: () => void;
  onClose: () => void;
  onInvalid: (error: ShownError) => void;
}

const GROUPS: readonly { label: string; kinds: readonly string[] }[] = [
  { label: "Commits", kinds: ["commit", "pull_request"] },
  { label: "Meetings", kinds: ["meeting", "focus", "out_of_office"] },
  { label: "IDE sessions", kinds: ["ide_heartbeat", "ide_session"] },
  { label: "Jira actions", kinds: ["issue_action", "explicit_key"] },
];

const KIND_LABELS: Readonly<Record<string, string>> = {
  commit: "commit",
  pull_request: "pull request",
  meeting: "meeting",
  focus: "focus time",
  out_of_office: "out of office",
  ide_heartbeat: "IDE activity",
  ide_session: "IDE session",
  issue_action: "Jira action",
  explicit_key: "names the issue",
  "model:time": "time model",
  more: "more",
};

/** Groups evidence by the kind of work, each group sorted by time; kinds outside the four groups go to "Other". */
function groupEvidence(evidence: readonly EvidenceItem[]): { label: string; items: EvidenceItem[] }[] {
  const byTime = (a: EvidenceItem, b: EvidenceItem) => (a.at ?? "\uffff").localeCompare(b.at ?? "\uffff");
  const known = new Set(GROUPS.flatMap((group) => group.kinds));
  const groups = GROUPS.map((group) => ({ label: group.label, items: evidence.filter((item) => group.kinds.includes(item.kind)).sort(byTime) }));
  groups.push({ label: "Other", items: evidence.filter((item) => !known.has(item.kind)).sort(byTime) });
  return groups.filter((group) => group.items.length > 0);
}

/**
 * The side panel with a suggestion's evidence and the decisions on it. Escape closes it
 * (the page returns focus to the cell); decision buttons stay visible but disabled,
 * with the reason, when the viewer may not decide.
 */
export function EvidenceDrawer(props: EvidenceDrawerProps) {
  const { suggestion, zone, mode, blockedReason, busy } = props;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const pending = suggestion.status === "pending";
  const decisionsDisabled = blockedReason !== undefined || busy || suggestion.worklogOnly === true;
  const level = confidenceLevel(suggestion.confidence);

  useEffect(() => {
    if (mode === "view") headingRef.current?.focus();
  }, [suggestion.id, mode]);

  return (
    <aside className="wk-drawer" role="dialog" aria-label="Evidence">
      <div className="wk-drawer-head">
        <h2 ref={headingRef} tabIndex={-1}>
          {suggestion.issueKey ?? "Unlinked time"}
          <span className="wk-drawer-day">{formatDayLong(suggestion.day)}</span>
        </h2>
        <button type="button" className="wk-button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {props.summary !== undefined && <p className="wk-drawer-summary">{props.summary}</p>}

      <dl className="wk-facts">
        <dt>Suggested</dt>
        <dd>{formatHours(suggestion.seconds)}</dd>
        <dt>Confidence</dt>
        <dd>
          <span className={`wk-confidence wk-confidence-${level}`} aria-hidden="true">
            <span style={{ width: formatPercent(suggestion.confidence) }} />
          </span>{" "}
          confidence {formatPercent(suggestion.confidence)}
        </dd>
        <dt>Status</dt>
        <dd>
          {suggestion.status}
          {suggestion.changedSinceReview && " (changed since review: the worklog keeps what was accepted)"}
        </dd>
        {suggestion.review !== null && (
          <>
            <dt>Decided</dt>
            <dd>{formatInstant(suggestion.review.decidedAt, zone)}</dd>
          </>
        )}
        {suggestion.worklog !== null && (
          <>
            <dt>Worklog</dt>
            <dd>
              {formatHours(suggestion.worklog.seconds)} on {suggestion.worklog.issueKey} from {formatTime(suggestion.worklog.startedAt, zone)}
              {suggestion.worklog.writeBack !== null && `, write-back ${WRITE_BACK_LABELS[suggestion.worklog.writeBack]}`}
              {suggestion.worklog.lastError !== null && <span className="wk-error-text"> ({suggestion.worklog.lastError})</span>}
            </dd>
          </>
        )}
      </dl>

      <ErrorAlert error={props.error} />
      {blockedReason !== undefined && <p className="wk-blocked">{blockedReason}</p>}
      {suggestion.worklogOnly === true && <p className="wk-blocked">This time is logged without a suggestion of its own, so there is no decision to change here.</p>}

      <div className="wk-drawer-actions">
        <button type="button" className="wk-button wk-primary" disabled={decisionsDisabled || !pending || suggestion.issueKey === null} onClick={props.onAccept}>
          Accept
        </button>
        <button type="button" className="wk-button" disabled={decisionsDisabled || !pending} onClick={() => { props.onModeChange("edit"); }}>
          Edit
        </button>
        <button type="button" className="wk-button" disabled={decisionsDisabled || !pending} onClick={props.onReject}>
          Reject
        </button>
        {/* Hidden while its form is open, so the form's "Move" is the only button of that name. */}
        {mode !== "move" && (
          <button type="button" className="wk-button" disabled={decisionsDisabled || !pending} onClick={() => { props.onModeChange("move"); }}>
            Move time
          </button>
        )}
        {!pending && (
          <button type="button" className="wk-button" disabled={decisionsDisabled} onClick={props.onUndo}>
            Undo decision
          </button>
        )}
        {suggestion.worklog?.writeBack === "failed" && (
          <button type="button" className="wk-button" disabled={busy || blockedReason !== undefined} onClick={props.onRetry}>
            Retry write-back
          </button>
        )}
      </div>
      {pending && suggestion.issueKey === null && <p className="wk-note">Unlinked time needs an issue: use Edit or Move time to put it on one.</p>}

      {mode === "edit" && pending && blockedReason === undefined && (
        <EditForm suggestion={suggestion} issueKeys={props.issueKeys} busy={busy} onSubmit={props.onEdit} onInvalid={props.onInvalid} onCancel={() => { props.onModeChange("view"); }} />
      )}
      {mode === "move" && pending && blockedReason === undefined && (
        <MoveForm suggestion={suggestion} issueKeys={props.issueKeys} busy={busy} onSubmit={props.onMove} onInvalid={props.onInvalid} onCancel={() => { props.onModeChange("view"); }} />
      )}

      <section className="wk-evidence" aria-label="Evidence items">
        <h3>Evidence</h3>
        <p className="wk-note">Times in {zone ?? "UTC"}.</p>
        {suggestion.evidence.length === 0 && <p className="wk-note">No evidence is stored for this suggestion.</p>}
        {groupEvidence(suggestion.evidence).map((group) => (
          <div key={group.label} className="wk-evidence-group">
            <h4>{group.label}</h4>
            <ul>
              {group.items.map((item, index) => (
                <li key={`${item.kind}-${String(item.activityId ?? index)}-${String(index)}`}>
                  <span className="wk-evidence-time">{item.at === undefined ? "—" : formatTime(item.at, zone)}</span>
                  <span className="wk-evidence-kind">{KIND_LABELS[item.kind] ?? item.kind}</span>
                  <span className="wk-evidence-detail">{item.detail}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
    </aside>
  );
}

interface FormProps<T> {
  suggestion: Suggestion;
  issueKeys: readonly string[];
  busy: boolean;
  onSubmit: (request: T) => void;
  onInvalid: (error: ShownError) => void;
  onCancel: () => void;
}

/** Checks typed hours against the server's limits; returns the seconds, or reports the problem and returns undefined. */
function checkedSeconds(text: string, onInvalid: (error: ShownError) => void): number | undefined {
  const seconds = parseHours(text);
  if (seconds === undefined || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    onInvalid({ message: `Hours must be a number from ${formatHours(MIN_SECONDS)} to 24.`, hint: "type hours with a decimal point, such as 1.5" });
    return undefined;
  }
  return seconds;
}

function EditForm({ suggestion, issueKeys, busy, onSubmit, onInvalid, onCancel }: FormProps<EditRequest>) {
  const id = useId();
  const [hours, setHours] = useState(String(Math.round((suggestion.seconds / 3600) * 100) / 100));
  const [issueKey, setIssueKey] = useState("");
  const [comment, setComment] = useState("");
  const hoursRef = useRef<HTMLInputElement>(null);
  useEffect(() => { hoursRef.current?.focus(); }, []);

  function submit(event: SyntheticEvent): void {
    event.preventDefault();
    const seconds = checkedSeconds(hours, onInvalid);
    if (seconds === undefined) return;
    const key = issueKey.trim().toUpperCase();
    if (suggestion.issueKey === null && key === "") {
      onInvalid({ message: "Issue is required for unlinked time.", hint: "type the key of the issue to log the time on, such as PROJ-42" });
      return;
    }
    if (key !== "" && !ISSUE_KEY.test(key)) {
      onInvalid({ message: `Issue "${key}" is no Jira issue key.`, hint: "type a key such as PROJ-42" });
      return;
    }
    const request: EditRequest = { seconds };
    if (key !== "" && key !== suggestion.issueKey) request.issueKey = key;
    if (comment.trim() !== "") request.comment = comment.trim();
    onSubmit(request);
  }

  return (
    <form className="wk-form" onSubmit={submit} aria-label="Edit suggestion">
      <label htmlFor={`${id}-hours`}>Hours</label>
      <input id={`${id}-hours`} ref={hoursRef} inputMode="decimal" value={hours} onChange={(event) => { setHours(event.target.value); }} />
      <label htmlFor={`${id}-issue`}>{suggestion.issueKey === null ? "Issue" : "Issue (optional, to log on another issue)"}</label>
      <input id={`${id}-issue`} list={`${id}-keys`} value={issueKey} onChange={(event) => { setIssueKey(event.target.value); }} autoComplete="off" />
      <IssueKeyOptions id={`${id}-keys`} keys={issueKeys} />
      <label htmlFor={`${id}-comment`}>Comment (optional)</label>
      <textarea id={`${id}-comment`} rows={2} maxLength={4000} value={comment} onChange={(event) => { setComment(event.target.value); }} />
      <div className="wk-form-actions">
        <button type="submit" className="wk-button wk-primary" disabled={busy}>
          Save
        </button>
        <button type="button" className="wk-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function MoveForm({ suggestion, issueKeys, busy, onSubmit, onInvalid, onCancel }: FormProps<MoveRequest>) {
  const id = useId();
  const [toIssue, setToIssue] = useState("");
  const [hours, setHours] = useState(String(Math.round((suggestion.seconds / 3600) * 100) / 100));
  const [comment, setComment] = useState("");
  const issueRef = useRef<HTMLInputElement>(null);
  useEffect(() => { issueRef.current?.focus(); }, []);

  function submit(event: SyntheticEvent): void {
    event.preventDefault();
    const key = toIssue.trim().toUpperCase();
    if (!ISSUE_KEY.test(key)) {
      onInvalid({ message: key === "" ? "To issue is required." : `To issue "${key}" is no Jira issue key.`, hint: "type the key of the issue to move the time to, such as PROJ-42" });
      return;
    }
    if (key === suggestion.issueKey) {
      onInvalid({ message: `To issue is ${key}, the issue the time is on already.`, hint: "pick another issue" });
      return;
    }
    const seconds = parseHours(hours);
    if (seconds === undefined || seconds < MIN_SECONDS || seconds > suggestion.seconds) {
      onInvalid({ message: `Hours must be from ${formatHours(MIN_SECONDS)} to ${formatHours(suggestion.seconds)}, the time of this suggestion.`, hint: "type hours with a decimal point, such as 0.5" });
      return;
    }
    const request: MoveRequest = { toIssueKey: key, seconds };
    if (comment.trim() !== "") request.comment = comment.trim();
    onSubmit(request);
  }

  return (
    <form className="wk-form" onSubmit={submit} aria-label="Move time">
      <label htmlFor={`${id}-to`}>To issue</label>
      <input id={`${id}-to`} ref={issueRef} list={`${id}-keys`} value={toIssue} onChange={(event) => { setToIssue(event.target.value); }} autoComplete="off" />
      <IssueKeyOptions id={`${id}-keys`} keys={issueKeys.filter((key) => key !== suggestion.issueKey)} />
      <label htmlFor={`${id}-hours`}>Hours</label>
      <input id={`${id}-hours`} inputMode="decimal" value={hours} onChange={(event) => { setHours(event.target.value); }} />
      <label htmlFor={`${id}-comment`}>Comment (optional)</label>
      <textarea id={`${id}-comment`} rows={2} maxLength={4000} value={comment} onChange={(event) => { setComment(event.target.value); }} />
      <div className="wk-form-actions">
        <button type="submit" className="wk-button wk-primary" disabled={busy}>
          Move
        </button>
        <button type="button" className="wk-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function IssueKeyOptions({ id, keys }: { id: string; keys: readonly string[] }) {
  return (
    <datalist id={id}>
      {keys.map((key) => (
        <option key={key} value={key} />
      ))}
    </datalist>
  );
}
