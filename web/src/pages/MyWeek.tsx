import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api } from "../api.js";
import { cellTestId, rowKeyOf } from "../components/week/cell-state.js";
import { ErrorAlert, toShownError, type ShownError } from "../components/week/ErrorAlert.js";
import { EvidenceDrawer, type DrawerMode, type EditRequest, type MoveRequest } from "../components/week/EvidenceDrawer.js";
import { addDays, formatDayLong, isDay, mondayOf, weekDays } from "../components/week/format.js";
import type { BulkAcceptResult, Person, Suggestion } from "../components/week/types.js";
import { loadWeek, newestWeek, personName, personQuery, pickablePeople, withQuery, type WeekData } from "../components/week/week-data.js";
import { WeekActions } from "../components/week/WeekActions.js";
import { WeekGrid, type CellShortcut, type GridRow } from "../components/week/WeekGrid.js";
import { hasRole, useSession } from "../session.js";
import "../components/week/week.css";

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Returns the grid rows: one per issue key in the week, sorted, then the "Unlinked" row, which is always shown. */
function gridRows(data: WeekData | undefined): GridRow[] {
  const keys = [...new Set((data?.suggestions ?? []).map(rowKeyOf))].filter((key) => key !== "unlinked").sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return [...keys.map((key) => ({ key, summary: data?.summaries.get(key) })), { key: "unlinked", summary: undefined }];
}

/**
 * The week page: a person's suggested worklogs of one ISO week as a grid of issues ×
 * days, the evidence behind each, and the decisions on them and on the week. The URL
 * contains the state (`?person=ID&week=YYYY-MM-DD`), so a week can be linked and reloaded.
 */
export function MyWeekPage() {
  const { session } = useSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const admin = hasRole(session, "admin");
  const manager = hasRole(session, "manager");

  const personParam = Number(searchParams.get("person"));
  const personId = Number.isInteger(personParam) && personParam > 0 ? personParam : session.personId;
  const isSelf = personId === session.personId;
  const weekParam = searchParams.get("week");
  const monday = isDay(weekParam) ? mondayOf(weekParam) : undefined;
  const person = personQuery(personId, session.personId, admin);

  const [people, setPeople] = useState<Person[]>([]);
  /** The loaded week, tagged with the week and person it is of; `week` is undefined when loading failed. */
  const [loaded, setLoaded] = useState<{ key: string; week: WeekData | undefined }>();
  /** The week shown because the person has no week with data yet. */
  const [fallbackWeek, setFallbackWeek] = useState<string>();
  const [reloadCount, setReloadCount] = useState(0);
  const [error, setError] = useState<ShownError>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [activeId, setActiveId] = useState<string>();
  const [openId, setOpenId] = useState<string>();
  const [mode, setMode] = useState<DrawerMode>("view");
  const returnFocusTo = useRef<string | undefined>(undefined);

  const goToWeek = useCallback(
    (week: string, replace = false) => {
      const next: Record<string, string> = { week };
      if (searchParams.has("person")) next["person"] = String(personId);
      setSearchParams(next, { replace });
    },
    [personId, searchParams, setSearchParams],
  );

  useEffect(() => {
    if (!admin && !manager) return;
    pickablePeople(admin, manager).then(setPeople, (failure: unknown) => { setError(toShownError(failure)); });
  }, [admin, manager]);

  // Without a week in the URL, open the newest week with data: demo data is often years old.
  useEffect(() => {
    if (monday !== undefined) return;
    let cancelled = false;
    newestWeek(person).then(
      (week) => {
        if (cancelled) return;
        if (week === undefined) setFallbackWeek(`${person}|${mondayOf(todayUtc())}`);
        goToWeek(mondayOf(week ?? todayUtc()), true);
      },
      (failure: unknown) => {
        if (cancelled) return;
        setError(toShownError(failure));
        goToWeek(mondayOf(todayUtc()), true);
      },
    );
    return () => { cancelled = true; };
  }, [monday, person, goToWeek]);

  useEffect(() => {
    if (monday === undefined) return;
    let cancelled = false;
    const key = `${person}|${monday}`;
    loadWeek(monday, person).then(
      (week) => {
        if (cancelled) return;
        setLoaded({ key, week });
        if (week.suggestionsError !== undefined) setError(toShownError(week.suggestionsError));
      },
      (failure: unknown) => {
        if (cancelled) return;
        setLoaded({ key, week: undefined });
        setError(toShownError(failure));
      },
    );
    return () => { cancelled = true; };
  }, [monday, person, reloadCount]);

  // After an action the previous data of the same week stays on screen until the reload arrives.
  const current = loaded !== undefined && loaded.key === `${person}|${monday ?? ""}` ? loaded : undefined;
  const data = current?.week;
  const suggestions = useMemo(() => data?.suggestions ?? [], [data]);
  const review = data?.review;
  const open = suggestions.find((s) => s.id === openId);

  const closeDrawer = useCallback(() => {
    returnFocusTo.current = openId;
    setOpenId(undefined);
    setMode("view");
    setError(undefined);
  }, [openId]);

  useEffect(() => {
    if (openId !== undefined || returnFocusTo.current === undefined) return;
    const target = suggestions.find((s) => s.id === returnFocusTo.current);
    returnFocusTo.current = undefined;
    if (target !== undefined) document.querySelector<HTMLButtonElement>(`[data-testid="${cellTestId(rowKeyOf(target), target.day)}"]`)?.focus();
  }, [openId, suggestions]);

  const drawerShown = open !== undefined;
  useEffect(() => {
    if (!drawerShown) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closeDrawer();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => { document.removeEventListener("keydown", onKey); };
  }, [drawerShown, closeDrawer]);

  const canDecide = isSelf || admin;
  const blockedReason = !canDecide
    ? "You can read this week but not decide on it: only the person and administrators can."
    : review?.locked === true
      ? review.status === "approved"
        ? `The week of ${review.weekStart} is approved and locked: ask a manager to reopen it.`
        : `The week of ${review.weekStart} is submitted and locked: withdraw it to change it.`
      : undefined;

  /** Runs one API action, shows its error with the hint, and reloads the week afterwards. */
  async function run(action: () => Promise<unknown>, success?: string): Promise<void> {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      if (success !== undefined) setNotice(success);
    } catch (failure: unknown) {
      setError(toShownError(failure));
    } finally {
      setBusy(false);
      setReloadCount((count) => count + 1);
    }
  }

  const path = (suggestion: Suggestion, action: string) => `/suggestions/${encodeURIComponent(suggestion.id)}/${action}`;

  function accept(suggestion: Suggestion): void {
    void run(() => api.post(path(suggestion, "accept")));
  }
  function reject(suggestion: Suggestion): void {
    void run(() => api.post(path(suggestion, "reject")));
  }
  function edit(suggestion: Suggestion, request: EditRequest): void {
    void run(async () => {
      await api.post(path(suggestion, "edit"), request);
      setMode("view");
    });
  }
  function move(suggestion: Suggestion, request: MoveRequest): void {
    void run(async () => {
      await api.post(path(suggestion, "move"), request);
      setMode("view");
    });
  }
  function undo(suggestion: Suggestion): void {
    void run(() => api.delete(`/suggestions/${encodeURIComponent(suggestion.id)}/decision`));
  }
  function retry(suggestion: Suggestion): void {
    const worklog = suggestion.worklog;
    if (worklog === null) return;
    void run(() => api.post(`/worklogs/${String(worklog.id)}/retry-write-back`), `Write-back of the worklog on ${worklog.issueKey} is queued again.`);
  }

  function openDrawer(suggestion: Suggestion, drawerMode: DrawerMode = "view"): void {
    setActiveId(suggestion.id);
    setOpenId(suggestion.id);
    setMode(drawerMode);
    setError(undefined);
  }

  function onShortcut(suggestion: Suggestion, shortcut: CellShortcut): void {
    if (blockedReason !== undefined) {
      setError({ message: blockedReason });
      return;
    }
    if (suggestion.status !== "pending") {
      setError({ message: `This suggestion is already ${suggestion.status}.`, hint: "press Enter to open it and undo the decision first" });
      return;
    }
    if (shortcut === "edit") {
      openDrawer(suggestion, "edit");
    } else if (shortcut === "reject") {
      reject(suggestion);
    } else if (suggestion.issueKey === null) {
      setError({ message: "Unlinked time cannot be accepted as it is.", hint: "press e to edit it and name an issue" });
    } else {
      accept(suggestion);
    }
  }

  function acceptWeek(): void {
    if (monday === undefined) return;
    const body: { from: string; to: string; person?: number } = { from: monday, to: addDays(monday, 6) };
    if (admin) body.person = personId;
    void run(async () => {
      const result = await api.post<{ data: BulkAcceptResult }>("/suggestions/bulk-accept", body);
      const left = result.data.skipped.filter((skip) => skip.reason !== "already decided");
      setNotice(`Accepted ${String(result.data.accepted)} suggestions.${left.length > 0 ? ` Left as they are: ${left.map((skip) => `${skip.day} (${skip.reason})`).join(", ")}.` : ""}`);
    });
  }

  function weekStep(path: string, body?: unknown, message?: string): void {
    if (monday === undefined) return;
    void run(() => api.post(withQuery(`/weeks/${monday}/${path}`, path === "withdraw" ? "" : person), body), message);
  }

  const heading = isSelf ? "My week" : (review?.personName ?? people.find((p) => p.id === personId)?.displayName ?? `person ${String(personId)}`);
  const zone = isSelf ? session.tz : (people.find((p) => p.id === personId)?.tz ?? null);
  const days = monday === undefined ? [] : weekDays(monday);
  const pendingCount = review?.pending ?? suggestions.filter((s) => s.status === "pending").length;

  return (
    <div className={`wk-page${open === undefined ? "" : " wk-with-drawer"}`}>
      <div className="wk-main">
        <header className="wk-header">
          <h1>{heading}</h1>
          {(admin || manager) && people.length > 1 && (
            <label className="wk-person-picker">
              Person
              <select
                value={String(personId)}
                onChange={(event) => { setSearchParams({ person: event.target.value }); }}
              >
                {people.map((p) => (
                  <option key={p.id} value={String(p.id)}>
                    {personName(p)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </header>

        <nav className="wk-week-nav" aria-label="Week">
          <button type="button" className="wk-button" disabled={monday === undefined} onClick={() => { if (monday !== undefined) goToWeek(addDays(monday, -7)); }}>
            Previous week
          </button>
          <span className="wk-week-label">{monday === undefined ? "Finding the newest week…" : `${formatDayLong(monday)} – ${formatDayLong(addDays(monday, 6))}`}</span>
          <button type="button" className="wk-button" disabled={monday === undefined} onClick={() => { if (monday !== undefined) goToWeek(addDays(monday, 7)); }}>
            Next week
          </button>
        </nav>

        {open === undefined && <ErrorAlert error={error} onDismiss={() => { setError(undefined); }} />}
        {notice !== undefined && (
          <p className="wk-notice" role="status">
            {notice}
          </p>
        )}
        {fallbackWeek === `${person}|${monday ?? ""}` && <p className="wk-note">No suggestions yet: this is the current week. Suggestions appear once activity is imported and allocated.</p>}

        <WeekActions
          review={review}
          reviewError={data?.reviewError}
          pendingCount={pendingCount}
          isSelf={isSelf}
          canDecide={canDecide}
          canApprove={(admin || manager) && !isSelf}
          busy={busy || monday === undefined}
          blockedReason={blockedReason}
          onAcceptWeek={acceptWeek}
          onSubmit={() => { weekStep("submit", undefined, "Week submitted for approval."); }}
          onWithdraw={() => { weekStep("withdraw", undefined, "Week withdrawn: you can change it again."); }}
          onApprove={(comment) => { weekStep("approve", comment === "" ? {} : { comment }, "Week approved."); }}
          onReject={(comment) => { weekStep("reject", { comment }, "Week rejected."); }}
          onReopen={(comment) => { weekStep("reopen", comment === "" ? {} : { comment }, "Week reopened."); }}
          onInvalid={setError}
        />

        {current === undefined ? (
          <p role="status">Loading the week…</p>
        ) : (
          <>
            <WeekGrid
              days={days}
              rows={gridRows(data)}
              suggestions={suggestions}
              activeId={activeId}
              onActivate={(s) => { setActiveId(s.id); }}
              onOpen={(s) => { openDrawer(s); }}
              onShortcut={onShortcut}
              onRetry={retry}
              retryEnabled={!busy && canDecide}
            />
            <p className="wk-help">
              Arrow keys move between cells, Enter opens the evidence, <kbd>a</kbd> accepts, <kbd>e</kbd> edits and <kbd>r</kbd> rejects the focused cell. Totals count
              pending time as suggested and decided time as logged; rejected time counts as 0h.
            </p>
          </>
        )}
      </div>

      {open !== undefined && (
        <EvidenceDrawer
          suggestion={open}
          summary={open.issueKey === null ? undefined : data?.summaries.get(open.issueKey)}
          zone={zone}
          mode={mode}
          onModeChange={(next) => { setMode(next); setError(undefined); }}
          blockedReason={blockedReason}
          busy={busy}
          error={error}
          issueKeys={gridRows(data).map((row) => row.key).filter((key) => key !== "unlinked")}
          onAccept={() => { accept(open); }}
          onReject={() => { reject(open); }}
          onEdit={(request) => { edit(open, request); }}
          onMove={(request) => { move(open, request); }}
          onUndo={() => { undo(open); }}
          onRetry={() => { retry(open); }}
          onClose={closeDrawer}
          onInvalid={setError}
        />
      )}
    </div>
  );
}
