import { dayOf } from "../../domain/time.js";
import type { ParseResult } from "../parse-result.js";
import { describeBadInstant, identityOf, readInstant, zoneFor } from "./people.js";
import type { IssueRef, JiraRecord } from "./records.js";
import { describeIssues, worklogSchema } from "./schemas.js";
import { richText } from "./text.js";

/**
 * Adds worklog records. `issue` names the issue when the caller knows it (embedded
 * worklogs, or the --issue option); otherwise each worklog's own `issueId` is used.
 *
 * A worklog's day is the calendar day of `started` in the author's profile zone, else
 * in the offset `started` was written with. Jira shows a worklog on the day its author
 * saw, so neither the UTC date nor the host's zone is right.
 */
export function collectWorklogs(worklogs: readonly unknown[], issue: IssueRef | undefined, out: ParseResult<JiraRecord>): void {
  const prefix = issue !== undefined && "key" in issue ? `${issue.key} ` : "";
  worklogs.forEach((raw, index) => {
    const parsed = worklogSchema.safeParse(raw);
    if (!parsed.success) {
      out.skipped.push({ record: `${prefix}worklog[${index}]`, reason: `${describeIssues(parsed.error)}; this worklog is skipped` });
      return;
    }

    const worklog = parsed.data;
    const where = `${prefix}worklog ${worklog.id}`;
    const started = readInstant(worklog.started);
    if (started === undefined) {
      out.skipped.push({ record: where, reason: `started ${describeBadInstant(worklog.started)}; this worklog is skipped` });
      return;
    }
    if (!Number.isInteger(worklog.timeSpentSeconds) || worklog.timeSpentSeconds <= 0) {
      out.skipped.push({ record: where, reason: "timeSpentSeconds is not a positive whole number of seconds; this worklog is skipped" });
      return;
    }
    const ref = issue ?? (worklog.issueId === undefined ? undefined : { sourceId: worklog.issueId });
    if (ref === undefined) {
      out.skipped.push({
        record: where,
        reason: "the worklog names no issue: import the /rest/api/3/issue/KEY/worklog response with --issue KEY",
      });
      return;
    }

    const tz = zoneFor(worklog.author, started);
    const comment = richText(worklog.comment);
    out.records.push({
      kind: "worklog",
      where,
      issue: ref,
      worklog: {
        sourceId: `jira:worklog:${worklog.id}`,
        author: identityOf(worklog.author),
        startedAt: started.instant,
        tz,
        day: dayOf(started.instant, tz),
        seconds: worklog.timeSpentSeconds,
        comment: comment === "" ? undefined : comment,
      },
    });
  });
}

/** Returns a warning when an issue embeds only some of its worklogs. */
export function worklogGapWarning(issueKey: string, embedded: number, total: number | undefined): string | undefined {
  if (total === undefined || total <= embedded) return undefined;
  return (
    `${issueKey}: the issue embeds ${embedded} of its ${total} worklogs. ` +
    `Export GET /rest/api/3/issue/${issueKey}/worklog (all pages) and import it with --issue ${issueKey}`
  );
}
