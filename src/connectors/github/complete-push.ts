import type { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import type { Store } from "../../store/store.js";
import { checkRepositoryPath, checkSha, isZeroSha } from "../code-host/names.js";
import { parseItems } from "../code-host/parse-items.js";
import { checkCommitCount, emptyPushReport, writeCommitPage, type PushCompletionReport } from "../code-host/push-completion.js";
import type { RestClient } from "../code-host/rest-client.js";
import { githubCommitActivity } from "./activities.js";
import { githubPages, repositoryPath } from "./client.js";
import { commitSchema, comparisonSchema } from "./schemas.js";

/** A push whose payload did not list all its commits, as `PushTruncation` and the payload's `ref` describe it. */
export interface GitHubPushRange {
  /** "owner/name". */
  repository: string;
  before: string;
  after: string;
  /** The pushed branch without "refs/heads/", or undefined for a tag. Its issue keys go to every commit, as the webhook does. */
  branch: string | undefined;
  /** Commits in the push (the payload's `size`). Needed when the push created the branch, because then no compare base exists. */
  total?: number | undefined;
}

const PER_PAGE = 100;

/**
 * Fetches every commit of a truncated push and writes the commit activities the push
 * webhook writes for them, branch keys included. Commits already stored from the payload
 * count as duplicates. The range comes from `GET /repos/{owner}/{repo}/compare/{before}...{after}`,
 * paged until `total_commits` are read. A push that created the branch has no base, so the
 * newest `total` commits of `after` are read from the commits list instead. GitHub's comparison also
 * lists the changed files with their patches on its first page, but only its commits are read.
 * NOTE: for a new branch, the newest `total` commits are the pushed ones only when the branch's history is linear.
 */
export async function completeGitHubPush(store: Store, client: RestClient, range: GitHubPushRange): Promise<PushCompletionReport> {
  checkRepositoryPath(range.repository, "repository", 2);
  checkSha(range.before, "before");
  checkSha(range.after, "after");
  const report = emptyPushReport("github", `${range.repository} ${range.before.slice(0, 12)}...${range.after.slice(0, 12)}`);
  // A deleted branch has no commits to fetch.
  if (isZeroSha(range.after)) return report;

  const context = { repo: range.repository, branch: range.branch };

  if (isZeroSha(range.before)) {
    if (range.total === undefined) {
      report.skipped.push({ record: report.file, reason: "the push created the branch and its payload does not count its commits, so its commits cannot be told apart from older history" });
      return report;
    }
    const path = `${repositoryPath(range.repository)}/commits`;
    for await (const page of githubPages(client, path, { sha: range.after, per_page: PER_PAGE })) {
      const items = parseItems(page.body, commitSchema, `GET ${client.pathname(path)} page ${page.number}`).slice(0, range.total - report.commits);
      await writeCommitPage(store, items.map((item) => (item.ok ? githubCommitActivity(item.value, context) : item)), report);
      if (report.commits >= range.total) break;
    }
    checkCommitCount(report, range.total, `GET ${client.pathname(path)}`);
    return report;
  }

  const path = `${repositoryPath(range.repository)}/compare/${range.before}...${range.after}`;
  // total_commits counts the commits of all pages, and each page lists up to per_page of them, oldest first.
  let page = 1;
  let comparison = await comparePage(client, path, page);
  const expected = comparison.total_commits;
  while (comparison.commits.length > 0) {
    const items = parseItems(comparison.commits, commitSchema, `GET ${client.pathname(path)} page ${page}`);
    await writeCommitPage(store, items.map((item) => (item.ok ? githubCommitActivity(item.value, context) : item)), report);
    if (report.commits >= expected) break;
    page += 1;
    comparison = await comparePage(client, path, page);
  }
  checkCommitCount(report, expected, `GET ${client.pathname(path)}`);
  return report;
}

async function comparePage(client: RestClient, path: string, page: number): Promise<z.infer<typeof comparisonSchema>> {
  const { body } = await client.get(path, { per_page: PER_PAGE, page });
  const parsed = comparisonSchema.safeParse(body);
  if (!parsed.success) {
    throw new WorklensError("INVALID_INPUT", `GET ${client.pathname(path)} page ${page} returned no commits list or total_commits`, "check that the API URL points at GitHub's REST API");
  }
  return parsed.data;
}
