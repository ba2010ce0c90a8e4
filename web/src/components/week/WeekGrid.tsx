import type { KeyboardEvent } from "react";
import { cellTestId, confidenceLevel, effectiveSeconds, rowKeyOf, WRITE_BACK_LABELS } from "./cell-state.js";
import { formatDayShort, formatHours, formatPercent } from "./format.js";
import type { Suggestion } from "./types.js";

export interface GridRow {
  /** Issue key, or "unlinked". */
  key: string;
  summary: string | undefined;
}

/** A shortcut pressed on a focused cell: "a" accepts, "e" edits, "r" rejects. */
export type CellShortcut = "accept" | "edit" | "reject";

export interface WeekGridProps {
  days: readonly string[];
  rows: readonly GridRow[];
  suggestions: readonly Suggestion[];
  /** Id of the cell that has the grid's single tab stop. */
  activeId: string | undefined;
  onActivate: (suggestion: Suggestion) => void;
  onOpen: (suggestion: Suggestion) => void;
  onShortcut: (suggestion: Suggestion, shortcut: CellShortcut) => void;
  onRetry: (suggestion: Suggestion) => void;
  /** False while an action runs, and for a week the viewer may only read. */
  retryEnabled: boolean;
}

const SHORTCUTS: Readonly<Record<string, CellShortcut>> = { a: "accept", e: "edit", r: "reject" };

/**
 * The week as a table of issues × days. The cells form one tab stop (roving tabindex):
 * arrow keys move between filled cells, Home and End go to the ends of a row, Enter
 * opens the evidence, and a, e and r decide the focused cell.
 */
export function WeekGrid(props: WeekGridProps) {
  const { days, rows, suggestions } = props;
  const byCell = new Map<string, Suggestion>();
  for (const suggestion of suggestions) byCell.set(cellTestId(rowKeyOf(suggestion), suggestion.day), suggestion);

  const tabStop = props.activeId !== undefined && suggestions.some((s) => s.id === props.activeId) ? props.activeId : suggestions[0]?.id;

  function cellAt(row: number, column: number): Suggestion | undefined {
    const rowKey = rows[row]?.key;
    const day = days[column];
    return rowKey === undefined || day === undefined ? undefined : byCell.get(cellTestId(rowKey, day));
  }

  /** Returns the nearest filled cell from (row, column) in the direction (dRow, dColumn), or undefined at the edge. */
  function nextFilled(row: number, column: number, dRow: number, dColumn: number): Suggestion | undefined {
    let r = row + dRow;
    let c = column + dColumn;
    while (r >= 0 && r < rows.length && c >= 0 && c < days.length) {
      const found = cellAt(r, c);
      if (found !== undefined) return found;
      r += dRow;
      c += dColumn;
    }
    return undefined;
  }

  function focusCell(target: Suggestion | undefined): void {
    if (target === undefined) return;
    props.onActivate(target);
    document.querySelector<HTMLButtonElement>(`[data-testid="${cellTestId(rowKeyOf(target), target.day)}"]`)?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, suggestion: Suggestion, row: number, column: number): void {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves: Record<string, () => Suggestion | undefined> = {
      ArrowRight: () => nextFilled(row, column, 0, 1),
      ArrowLeft: () => nextFilled(row, column, 0, -1),
      ArrowDown: () => nextFilled(row, column, 1, 0),
      ArrowUp: () => nextFilled(row, column, -1, 0),
      Home: () => nextFilled(row, -1, 0, 1),
      End: () => nextFilled(row, days.length, 0, -1),
    };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      focusCell(move());
      return;
    }
    const shortcut = SHORTCUTS[event.key.toLowerCase()];
    if (shortcut !== undefined && !event.shiftKey) {
      event.preventDefault();
      props.onShortcut(suggestion, shortcut);
    }
  }

  const dayTotals = days.map((day) => suggestions.filter((s) => s.day === day).reduce((sum, s) => sum + effectiveSeconds(s), 0));
  const weekTotal = dayTotals.reduce((sum, seconds) => sum + seconds, 0);

  return (
    <div className="wk-grid-scroll">
      <table className="wk-grid" aria-label="Week grid">
        <thead>
          <tr>
            <th scope="col" className="wk-issue-col">
              Issue
            </th>
            {days.map((day) => (
              <th scope="col" key={day}>
                {formatDayShort(day)}
              </th>
            ))}
            <th scope="col" className="wk-total-col">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, rowIndex) => {
            const rowSeconds = suggestions.filter((s) => rowKeyOf(s) === row.key).reduce((sum, s) => sum + effectiveSeconds(s), 0);
            return (
              <tr key={row.key}>
                <th scope="row" className="wk-issue-col">
                  <span className="wk-issue-key">{row.key === "unlinked" ? "Unlinked" : row.key}</span>
                  {row.summary !== undefined && <span className="wk-issue-summary">{row.summary}</span>}
                  {row.key === "unlinked" && <span className="wk-issue-summary">time linked to no issue</span>}
                </th>
                {days.map((day, columnIndex) => {
                  const suggestion = byCell.get(cellTestId(row.key, day));
                  return (
                    <td key={day} className="wk-cell">
                      {suggestion === undefined ? (
                        <span className="wk-empty" aria-label="no time">
                          –
                        </span>
                      ) : (
                        <GridCell
                          suggestion={suggestion}
                          rowKey={row.key}
                          tabbable={suggestion.id === tabStop}
                          onFocus={() => { props.onActivate(suggestion); }}
                          onClick={() => { props.onOpen(suggestion); }}
                          onKeyDown={(event) => { onKeyDown(event, suggestion, rowIndex, columnIndex); }}
                          onRetry={() => { props.onRetry(suggestion); }}
                          retryEnabled={props.retryEnabled}
                        />
                      )}
                    </td>
                  );
                })}
                <td className="wk-total-col">{formatHours(rowSeconds)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" className="wk-issue-col">
              Day total
            </th>
            {dayTotals.map((seconds, index) => (
              <td key={days[index]}>{formatHours(seconds)}</td>
            ))}
            <td className="wk-total-col wk-week-total" data-testid="week-total">
              {formatHours(weekTotal)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

interface GridCellProps {
  suggestion: Suggestion;
  rowKey: string;
  tabbable: boolean;
  onFocus: () => void;
  onClick: () => void;
  onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => void;
  onRetry: () => void;
  retryEnabled: boolean;
}

function GridCell({ suggestion, rowKey, tabbable, onFocus, onClick, onKeyDown, onRetry, retryEnabled }: GridCellProps) {
  const level = confidenceLevel(suggestion.confidence);
  const percent = formatPercent(suggestion.confidence);
  const writeBack = suggestion.worklog?.writeBack ?? null;
  const status = suggestion.changedSinceReview ? `${suggestion.status}, changed since review` : suggestion.status;
  return (
    <>
      <button
        type="button"
        className={`wk-cell-button wk-status-${suggestion.status}${suggestion.changedSinceReview ? " wk-changed" : ""}`}
        data-testid={cellTestId(rowKey, suggestion.day)}
        tabIndex={tabbable ? 0 : -1}
        onFocus={onFocus}
        onClick={onClick}
        onKeyDown={onKeyDown}
        title={`${status}, confidence ${percent}`}
      >
        <span className="wk-cell-hours">{formatHours(suggestion.status === "rejected" ? suggestion.seconds : effectiveSeconds(suggestion))}</span>
        <span className="wk-cell-meta">
          <span className={`wk-confidence wk-confidence-${level}`} aria-hidden="true">
            <span style={{ width: percent }} />
          </span>
          <span className="wk-sr-only">confidence {percent}</span>
          <span className="wk-cell-status">{suggestion.status}</span>
        </span>
        {suggestion.changedSinceReview && <span className="wk-cell-flag">changed since review</span>}
        {writeBack !== null && <span className={`wk-write-back wk-write-back-${writeBack}`}>write-back {WRITE_BACK_LABELS[writeBack]}</span>}
      </button>
      {writeBack === "failed" && suggestion.worklog !== null && (
        // Kept out of the grid's tab order; the evidence drawer has the same button for keyboard use.
        <button type="button" className="wk-retry" tabIndex={-1} disabled={!retryEnabled} onClick={onRetry}>
          Retry
        </button>
      )}
    </>
  );
}
