import type { Store } from "../../store/store.js";
import { checkRepositoryPath, checkSha, isZeroSha } from "../code-host/names.js";
import { parseItems } from "../code-host/parse-items.js";
import { checkCommitCount, emptyPushReport, writeCommitPage, type PushCompletionReport } from "../code-host/push-completion.js";
import type { RestClient } from "../code-host/rest-client.js";
import { gitlabCommitActivity } from "./activities.js";
import { gitlabPages, projectPath } from "./client.js";
import { commitSchema } from "./schemas.js";

/** A push whose payload did not list all its commits, as `PushTruncation` and the payload's `ref` describe it. */
export interface GitLabPushRange {
  /** The numeric project id (as a number or digits), or the project path "group/project". */
  project: string | number;
  before: string;
  after: string;
  /** The pushed branch without "refs/heads/", or undefined for a tag. Its issue keys go to every commit, as the webhook does. */
  branch: string | undefined;
  /** Commits in the push (`total_commits_count`). Needed when the push created the branch, because then no range base exists. */
  total?: number | undefined;
}

const PER_PAGE = 100;

/**
 * Fetches every commit of a truncated push and writes the commit activities the Push
 * Hook writes for them, branch keys included. Commits already stored from the payload
 * count as duplicates. The commits come from `GET /projects/:id/repository/commits` with
 * the revision range `ref_name=before..after`, paged. A push that created the branch
 * reads the newest `total` commits of `after`.
 * The compare endpoint would return the same commits, but always with the diffs of every
 * changed file, and worklens reads no file contents.
 * NOTE: for a new branch, the newest `total` commits are the pushed ones only when the branch's history is linear.
 */
export async function completeGitLabPush(store: Store, client: RestClient, range: GitLabPushRange): Promise<PushCompletionReport> {
  const byId = typeof range.project === "number" || /^\d+$/.test(range.project);
  if (!byId) checkRepositoryPath(String(range.project), "project", undefined);
  checkSha(range.before, "before");
  checkSha(range.after, "after");
  const report = emptyPushReport("gitlab", `${range.project} ${range.before.slice(0, 12)}..${range.after.slice(0, 12)}`);
  // A deleted branch has no commits to fetch.
  if (isZeroSha(range.after)) return report;

  const newBranch = isZeroSha(range.before);
  if (newBranch && range.total === undefined) {
    report.skipped.push({ record: report.file, reason: "the push created the branch and no commit count was passed, so its commits cannot be told apart from older history" });
    return report;
  }

  // The activity's repo is the project path, as the webhook's path_with_namespace. A numeric id gives no path.
  const context = { repo: byId ? undefined : String(range.project), branch: range.branch };
  const path = `${projectPath(range.project)}/repository/commits`;
  const limit = newBranch ? range.total : undefined;
  for await (const page of gitlabPages(client, path, { ref_name: newBranch ? range.after : `${range.before}..${range.after}`, per_page: PER_PAGE })) {
    const items = parseItems(page.body, commitSchema, `GET ${client.pathname(path)} page ${page.number}`);
    const kept = limit === undefined ? items : items.slice(0, limit - report.commits);
    await writeCommitPage(store, kept.map((item) => (item.ok ? gitlabCommitActivity(item.value, context) : item)), report);
    if (limit !== undefined && report.commits >= limit) break;
  }
  checkCommitCount(report, range.total, `GET ${client.pathname(path)}`);
  return report;
}
