import { projectOf } from "../../domain/issue-keys.js";
import type { IssueInput } from "../../domain/types.js";
import type { ParseResult } from "../parse-result.js";
import { changelogGapWarning, collectHistories } from "./changelog.js";
import { collectComments, commentGapWarning } from "./comments.js";
import { describeBadInstant, identityOf, readInstant, zoneFor } from "./people.js";
import type { JiraRecord } from "./records.js";
import { describeIssues, ISSUE_KEY, isRecord, issueSchema, type JiraFields, type JiraIssue } from "./schemas.js";
import { richText } from "./text.js";
import { collectWorklogs, worklogGapWarning } from "./worklogs.js";

/** Facts from the response around an issue that its parse needs. */
export interface IssueContext {
  /** Ids of the classic "Epic Link" custom field, from the response's expand=names or expand=schema maps. */
  epicLinkFields: ReadonlySet<string>;
}

const NO_FIELDS_REASON =
  "the response has no fields for this issue, because /rest/api/3/search/jql returns only issue ids unless fields are requested: " +
  "request fields=*all (or at least summary,status,issuetype,project,parent,created,updated,resolutiondate,reporter,assignee,comment) and export again";

/**
 * Adds the records of one issue object: the issue, its creation event, comment
 * events, worklogs and changelog events. An issue without a readable id or created
 * date is skipped, but its comments, changelog and worklogs are still read: they
 * attach to the issue if an earlier import stored it.
 */
export function collectIssue(raw: unknown, where: string, context: IssueContext, out: ParseResult<JiraRecord>): void {
  const parsed = issueSchema.safeParse(raw);
  if (!parsed.success) {
    const key = isRecord(raw) && typeof raw["key"] === "string" ? ` (${raw["key"]})` : "";
    out.skipped.push({ record: `${where}${key}`, reason: `${describeIssues(parsed.error)}; the issue is skipped: fix or remove that field` });
    return;
  }

  const issue = parsed.data;
  const label = `${where} (${issue.key})`;
  if (issue.fields) collectFields(issue, issue.fields, label, context, out);
  else out.skipped.push({ record: label, reason: NO_FIELDS_REASON });

  if (issue.changelog) {
    collectHistories(issue.changelog.histories, issue.key, out);
    pushWarning(out, changelogGapWarning(issue.key, issue.changelog.histories.length, issue.changelog.total));
  }
}

function collectFields(issue: JiraIssue, fields: JiraFields, label: string, context: IssueContext, out: ParseResult<JiraRecord>): void {
  const comments = fields.comment?.comments ?? [];
  const bodies = collectComments(comments, issue.key, out);
  pushWarning(out, commentGapWarning(issue.key, comments.length, fields.comment?.total));

  const worklogs = fields.worklog?.worklogs ?? [];
  collectWorklogs(worklogs, { key: issue.key }, out);
  pushWarning(out, worklogGapWarning(issue.key, worklogs.length, fields.worklog?.total));

  if (issue.id === undefined) {
    out.skipped.push({ record: label, reason: "id is missing; the issue is skipped: export the issue objects unchanged, with their id" });
    return;
  }
  const created = readInstant(fields.created);
  if (created === undefined) {
    out.skipped.push({
      record: label,
      reason: `fields.created ${describeBadInstant(fields.created)}; the issue is skipped: request the created field and export again`,
    });
    return;
  }

  const input: IssueInput = {
    sourceId: issue.id,
    key: issue.key,
    projectKey: fields.project?.key ?? projectOf(issue.key),
    issueType: fields.issuetype?.name,
    isSubtask: fields.issuetype?.subtask ?? false,
    parentKey: fields.parent?.key,
    epicKey: epicKeyOf(fields, context.epicLinkFields),
    priority: fields.priority?.name,
    status: fields.status?.name,
    statusCategory: fields.status?.statusCategory?.key,
    labels: labelsOf(fields.labels, label, out),
    createdAt: created.instant,
    updatedAt: optionalInstant(fields.updated, "fields.updated", label, out),
    resolvedAt: optionalInstant(fields.resolutiondate, "fields.resolutiondate", label, out),
    assignee: identityOf(fields.assignee),
    reporter: identityOf(fields.reporter),
    text: {
      summary: fields.summary ?? "",
      description: richText(fields.description),
      comments: bodies.filter((body) => body.trim() !== "").join("\n\n"),
    },
  };
  out.records.push({ kind: "issue", where: label, issue: input });
  out.records.push({
    kind: "event",
    where: label,
    event: {
      sourceUid: `jira:create:${issue.id}`,
      issueKey: issue.key,
      kind: "create",
      at: created.instant,
      tz: zoneFor(fields.reporter, created),
      actor: input.reporter,
    },
  });
}

/**
 * Returns the key of the issue's epic. That is the parent when the parent is an epic,
 * as in team-managed projects and in company-managed ones since Jira Cloud replaced
 * Epic Link with parent. Otherwise it is the classic "Epic Link" custom field, when the response names that field.
 */
function epicKeyOf(fields: JiraFields, epicLinkFields: ReadonlySet<string>): string | undefined {
  const parent = fields.parent;
  const parentType = parent?.fields?.issuetype;
  if (parent?.key !== undefined && (parentType?.name?.toLowerCase() === "epic" || parentType?.hierarchyLevel === 1)) {
    return parent.key;
  }
  for (const id of epicLinkFields) {
    const value = fields[id];
    if (typeof value === "string" && ISSUE_KEY.test(value)) return value;
  }
  return undefined;
}

/**
 * Returns the issue's label names, sorted and without repeats, or undefined when it has
 * none. Entries that are not non-empty strings are left out with a warning.
 */
function labelsOf(raw: readonly unknown[] | null | undefined, label: string, out: ParseResult<JiraRecord>): string[] | undefined {
  if (raw === null || raw === undefined) return undefined;
  const names = new Set<string>();
  let ignored = 0;
  for (const item of raw) {
    if (typeof item === "string" && item.trim() !== "") names.add(item.trim());
    else ignored += 1;
  }
  if (ignored > 0) out.warnings.push(`${label}: fields.labels has ${String(ignored)} entries that are not label names; they are left out`);
  return names.size === 0 ? undefined : [...names].sort();
}

function optionalInstant(text: string | null | undefined, field: string, label: string, out: ParseResult<JiraRecord>): number | undefined {
  if (text === null || text === undefined) return undefined;
  const parsed = readInstant(text);
  if (parsed === undefined) out.warnings.push(`${label}: ${field} ${describeBadInstant(text)}; it is left empty`);
  return parsed?.instant;
}

function pushWarning(out: ParseResult<JiraRecord>, warning: string | undefined): void {
  if (warning !== undefined) out.warnings.push(warning);
}
