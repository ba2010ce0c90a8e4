import type { ParseResult } from "../parse-result.js";
import { describeBadInstant, identityOf, readInstant, zoneFor } from "./people.js";
import type { JiraRecord } from "./records.js";
import { commentSchema, describeIssues } from "./schemas.js";
import { richText } from "./text.js";

/**
 * Reads comments: returns their bodies as plain text, for the issue's comment text,
 * and adds a comment event for each comment that has both an author and a created
 * date. Comments without them, as in exports scraped from Jira's web pages, only add their text.
 */
export function collectComments(comments: readonly unknown[], issueKey: string, out: ParseResult<JiraRecord>): string[] {
  const bodies: string[] = [];
  comments.forEach((raw, index) => {
    const parsed = commentSchema.safeParse(raw);
    if (!parsed.success) {
      out.skipped.push({ record: `${issueKey} comment[${index}]`, reason: `${describeIssues(parsed.error)}; this comment is skipped` });
      return;
    }

    const comment = parsed.data;
    const body = richText(comment.body);
    bodies.push(body);

    const actor = identityOf(comment.author);
    if (actor === undefined || comment.created === null || comment.created === undefined) return;
    const where = `${issueKey} comment ${comment.id ?? `[${index}]`}`;
    const at = readInstant(comment.created);
    if (at === undefined) {
      out.skipped.push({
        record: where,
        reason: `created ${describeBadInstant(comment.created)}; the comment text is kept, but it adds no comment event`,
      });
      return;
    }

    out.records.push({
      kind: "event",
      where,
      event: {
        // Jira always sends comment ids; the fallback only serves exports that dropped them.
        sourceUid: comment.id === undefined ? `jira:comment:${issueKey}:${at.instant}` : `jira:comment:${comment.id}`,
        issueKey,
        kind: "comment",
        at: at.instant,
        tz: zoneFor(comment.author, at),
        actor,
        body: body === "" ? undefined : body,
      },
    });
  });
  return bodies;
}

/** Returns a warning when an issue embeds only some of its comments. */
export function commentGapWarning(issueKey: string, embedded: number, total: number | undefined): string | undefined {
  if (total === undefined || total <= embedded) return undefined;
  return (
    `${issueKey}: the issue embeds ${embedded} of its ${total} comments. ` +
    `Export GET /rest/api/3/issue/${issueKey}/comment (all pages) and import it with --issue ${issueKey}`
  );
}
