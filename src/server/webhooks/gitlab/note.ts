import { extractIssueKeys } from "../../../domain/issue-keys.js";
import { offsetZoneName } from "../../../domain/time.js";
import type { ActivityInput } from "../../../domain/types.js";
import { accepted, ignored, invalid, type DeliveryFacts, type WebhookParseResult } from "../result.js";
import { describeIssues } from "../validation.js";
import { gitlabIdentity } from "../../../ingest/code-host/gitlab-people.js";
import { noteSchema, type GitlabNote } from "./schemas.js";
import { parseGitlabTime } from "./time.js";

/**
 * Parses a Note Hook delivery. A new comment on a merge request or a commit is review
 * work, so it becomes a pull_request activity of the commenter, which allocation gives a
 * short block of time. Comments on issues and snippets, edits and system notes are ignored.
 */
export function parseGitlabNote(body: unknown, facts: DeliveryFacts): WebhookParseResult<ActivityInput> {
  const parsed = noteSchema.safeParse(body);
  if (!parsed.success) return invalid(facts, `the Note Hook body is invalid: ${describeIssues(parsed.error)}`);

  const note = parsed.data;
  const attributes = note.object_attributes;
  if (attributes.action !== undefined && attributes.action !== "create") {
    return ignored(facts, `note action "${attributes.action}" repeats an earlier comment; only new comments are read`);
  }
  if (attributes.system === true) return ignored(facts, "system notes are written by GitLab, not by a person");

  const target = targetOf(note);
  if (target === undefined) {
    return ignored(facts, `comments on ${attributes.noteable_type} are not read; only comments on merge requests and commits are`);
  }
  const at = parseGitlabTime(attributes.created_at);
  if (at === undefined) {
    return invalid(facts, "object_attributes.created_at is not a GitLab timestamp between 1990 and 2100, such as 2025-03-10T08:15:00Z");
  }

  const keys = [...extractIssueKeys(target.keyText), ...extractIssueKeys(attributes.note)];
  const activity: ActivityInput = {
    sourceUid: `gitlab:note:${attributes.id}`,
    source: "git",
    kind: "pull_request",
    actor: gitlabIdentity(note.user),
    startAt: at.instant,
    endAt: at.instant,
    tz: offsetZoneName(at.offsetMinutes),
    dateOnly: false,
    repo: note.project.path_with_namespace,
    explicitKeys: [...new Set(keys)],
    text: { title: target.title },
  };
  if (target.branch !== undefined) activity.text.branch = target.branch;
  if (attributes.note.trim() !== "") activity.text.body = attributes.note;
  return accepted(facts, [activity]);
}

interface NoteTarget {
  title: string;
  branch: string | undefined;
  /** Text whose issue keys the comment inherits: the merge request's title and branch, or the commit message. */
  keyText: string;
}

function targetOf(note: GitlabNote): NoteTarget | undefined {
  const type = note.object_attributes.noteable_type;
  if (type === "MergeRequest" && note.merge_request !== undefined) {
    const mr = note.merge_request;
    return { title: mr.title, branch: mr.source_branch, keyText: `${mr.title}\n${mr.source_branch}` };
  }
  if (type === "Commit" && note.commit !== undefined) {
    const title = note.commit.message.split("\n", 1)[0] ?? "";
    return { title, branch: undefined, keyText: note.commit.message };
  }
  return undefined;
}
