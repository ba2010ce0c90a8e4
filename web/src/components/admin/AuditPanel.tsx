import { useEffect, useState, type SyntheticEvent } from "react";
import { api } from "../../api.js";
import { errorText, formatInstant, LoadFailed, Loading } from "./common.js";

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

interface AuditPage {
  data: AuditEntry[];
  nextAfterSeq: number | null;
}

/** Entries per request while walking the log; the API allows up to 1000. */
const CHUNK = 500;
/** Rows per page on screen. */
const PAGE = 100;

/**
 * What is on screen: one chunk of the log (oldest first, as the API pages) and the offset
 * into it counted from its newest entry. `starts` contains the afterSeq that starts each chunk,
 * learnt while walking forward to the newest chunk, so older chunks are fetched directly.
 */
interface View {
  key: string;
  starts: number[];
  chunk: number;
  entries: AuditEntry[];
  offset: number;
}

function pagePath(afterSeq: number, action: string): string {
  return `/audit?afterSeq=${String(afterSeq)}&limit=${String(CHUNK)}${action === "" ? "" : `&action=${encodeURIComponent(action)}`}`;
}

/**
 * The API pages oldest first and has no "newest" order, so the newest page is found by
 * walking forward chunk by chunk to the end. Each request is itself audited as read.audit.
 */
async function walkToNewest(action: string): Promise<{ starts: number[]; entries: AuditEntry[] }> {
  const starts = [0];
  for (;;) {
    const start = starts[starts.length - 1] ?? 0;
    const page = await api.get<AuditPage>(pagePath(start, action));
    if (page.nextAfterSeq === null) return { starts, entries: page.data };
    starts.push(page.nextAfterSeq);
  }
}

export function AuditPanel() {
  const [action, setAction] = useState("");
  const [typed, setTyped] = useState("");
  const [version, setVersion] = useState(0);
  const [view, setView] = useState<View | null>(null);
  const [failure, setFailure] = useState<{ key: string; message: string } | null>(null);
  const [paging, setPaging] = useState(false);
  const key = `${String(version)} ${action}`;

  useEffect(() => {
    let live = true;
    walkToNewest(action)
      .then(({ starts, entries }) => {
        if (live) setView({ key, starts, chunk: starts.length - 1, entries, offset: 0 });
      })
      .catch((error: unknown) => {
        if (live) setFailure({ key, message: errorText(error) });
      });
    return () => {
      live = false;
    };
  }, [action, key]);

  const current = view?.key === key ? view : null;
  const failed = failure?.key === key ? failure.message : null;

  const older = async () => {
    if (current === null) return;
    if (current.offset + PAGE < current.entries.length) {
      setView({ ...current, offset: current.offset + PAGE });
      return;
    }
    const chunk = current.chunk - 1;
    const start = current.starts[chunk];
    if (start === undefined) return;
    setPaging(true);
    try {
      const page = await api.get<AuditPage>(pagePath(start, action));
      setView({ ...current, chunk, entries: page.data, offset: 0 });
    } catch (error: unknown) {
      setFailure({ key, message: errorText(error) });
    } finally {
      setPaging(false);
    }
  };

  const newer = async () => {
    if (current === null) return;
    if (current.offset > 0) {
      setView({ ...current, offset: Math.max(0, current.offset - PAGE) });
      return;
    }
    const chunk = current.chunk + 1;
    const start = current.starts[chunk];
    if (start === undefined) return;
    setPaging(true);
    try {
      const page = await api.get<AuditPage>(pagePath(start, action));
      // The page that follows the one just left is the oldest page of the newer chunk.
      const lastOffset = Math.max(0, Math.floor((page.data.length - 1) / PAGE) * PAGE);
      setView({ ...current, chunk, entries: page.data, offset: lastOffset });
    } catch (error: unknown) {
      setFailure({ key, message: errorText(error) });
    } finally {
      setPaging(false);
    }
  };

  const filter = (event: SyntheticEvent) => {
    event.preventDefault();
    setAction(typed.trim());
    setVersion((v) => v + 1);
  };

  const rows = current === null ? [] : [...current.entries].reverse().slice(current.offset, current.offset + PAGE);
  const hasOlder = current !== null && (current.offset + PAGE < current.entries.length || current.chunk > 0);
  const hasNewer = current !== null && (current.offset > 0 || current.chunk < current.starts.length - 1);

  return (
    <section aria-labelledby="audit-title">
      <div className="admin-head">
        <h2 id="audit-title">Audit log</h2>
      </div>
      <form className="admin-filter" onSubmit={filter}>
        <label className="admin-inline-field">
          Action
          <input value={typed} placeholder="login.failed, or a prefix such as read." onChange={(event) => { setTyped(event.target.value); }} />
        </label>
        <button type="submit">Filter</button>
        <button type="button" onClick={() => { setVersion((v) => v + 1); }}>
          Refresh
        </button>
      </form>
      {failed !== null && <LoadFailed what="the audit log" message={failed} />}
      {current === null && failed === null && <Loading what="the audit log" />}
      {current !== null && (
        <>
          <p className="admin-note">
            {rows.length === 0
              ? `No entries${action === "" ? "" : ` for action ${action}`}.`
              : `Entries ${String(rows[rows.length - 1]?.seq ?? "")} to ${String(rows[0]?.seq ?? "")}${action === "" ? "" : ` with action ${action}`}, newest first.`}
          </p>
          <table className="admin-table admin-audit" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.seq}>
                  <td>{entry.seq}</td>
                  <td>{formatInstant(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.action}</td>
                  <td>{entry.subject ?? ""}</td>
                  <td className="admin-json">{JSON.stringify(entry.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="admin-actions">
            <button type="button" disabled={!hasNewer || paging} onClick={() => void newer()}>
              Newer
            </button>
            <button type="button" disabled={!hasOlder || paging} onClick={() => void older()}>
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}
