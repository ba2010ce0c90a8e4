import type { IssueEventKind } from "../../domain/types.js";
import type { ParseResult } from "../parse-result.js";
import { describeBadInstant, identityOf, readInstant, zoneFor } from "./people.js";
import type { JiraRecord } from "./records.js";
import { describeIssues, historySchema, type JiraHistory } from "./schemas.js";
import { abbreviate } from "./text.js";

const KIND_BY_FIELD = new Map<string, IssueEventKind>([
  ["status", "status_change"],
  ["assignee", "assignee_change"],
  ["priority", "priority_change"],
]);

/** User fields: `from` and `to` hold account ids (Cloud) or user keys (Server), which are stored instead of names. */
const USER_FIELDS = new Set(["assignee", "reporter"]);

/**
 * Free-text fields: their old and new values are personal text of any length, so
 * events keep only the field name.
 * NOTE: free-text custom fields are not recognized and keep their values (cut to MAX_VALUE_GRAPHEMES).
 */
const TEXT_FIELDS = new Set(["description", "summary", "environment", "comment"]);

/** Maximum length of an old or new value kept on an event, in grapheme clusters. */
const MAX_VALUE_GRAPHEMES = 200;

/** Adds one event per changed field of each history entry (`expand=changelog` or a changelog page). */
export function collectHistories(histories: readonly unknown[], issueKey: string, out: ParseResult<JiraRecord>): void {
  histories.forEach((raw, index) => {
    const parsed = historySchema.safeParse(raw);
    if (!parsed.success) {
      out.skipped.push({
        record: `${issueKey} changelog[${index}]`,
        reason: `${describeIssues(parsed.error)}; this history entry is skipped`,
      });
      return;
    }
    collectHistory(parsed.data, issueKey, out);
  });
}

function collectHistory(history: JiraHistory, issueKey: string, out: ParseResult<JiraRecord>): void {
  const where = `${issueKey} history ${history.id}`;
  const at = readInstant(history.created);
  if (at === undefined) {
    out.skipped.push({ record: where, reason: `created ${describeBadInstant(history.created)}; this history entry is skipped` });
    return;
  }

  const actor = identityOf(history.author);
  const tz = zoneFor(history.author, at);
  history.items.forEach((item, index) => {
    const field = (item.fieldId ?? item.field).toLowerCase();
    const values = changeValues(field, item);
    out.records.push({
      kind: "event",
      where,
      event: {
        sourceUid: `jira:history:${history.id}:${index}`,
        issueKey,
        kind: KIND_BY_FIELD.get(field) ?? "update",
        at: at.instant,
        tz,
        actor,
        field: item.field,
        fromValue: values.from,
        toValue: values.to,
      },
    });
  });
}

type HistoryItem = JiraHistory["items"][number];

function changeValues(field: string, item: HistoryItem): { from: string | undefined; to: string | undefined } {
  if (TEXT_FIELDS.has(field)) return { from: undefined, to: undefined };
  if (USER_FIELDS.has(field)) return { from: item.from ?? undefined, to: item.to ?? undefined };
  return { from: shorten(item.fromString ?? item.from), to: shorten(item.toText ?? item.to) };
}

function shorten(value: string | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : abbreviate(value, MAX_VALUE_GRAPHEMES);
}

/**
 * Returns a warning when an embedded changelog is only its newest page. Jira embeds one
 * page of histories (at most 40 through /rest/api/3/search/jql) and leaves out the
 * oldest without an error.
 */
export function changelogGapWarning(issueKey: string, embedded: number, total: number | undefined): string | undefined {
  if (total === undefined || total <= embedded) return undefined;
  return (
    `${issueKey}: the embedded changelog has ${embedded} of ${total} histories, so ${total - embedded} older ones are missing. ` +
    `Export every page of GET /rest/api/3/issue/${issueKey}/changelog (startAt=0, 100, ... until isLast is true) ` +
    `and import each page with --issue ${issueKey}`
  );
}
