import { WorklensError } from "../../domain/errors.js";
import { parseOffsetInstant } from "../../domain/time.js";
import type { ActivityInput } from "../../domain/types.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";
import type { Store } from "../../store/store.js";
import { checkRepositoryList } from "../code-host/names.js";
import { parseItems, type Parsed } from "../code-host/parse-items.js";
import type { RestClient } from "../code-host/rest-client.js";
import { queryInstant, runScan, type DescendingList, type ScanContext } from "../code-host/scan.js";
import { emptySyncReport, summarizeReport, withPagesWritten, type CodeHostSyncReport } from "../code-host/sync-report.js";
import { githubCommitActivity, openedPullRequestActivity, reviewActivity } from "./activities.js";
import { DEFAULT_GITHUB_API_URL, githubPages, repositoryPath } from "./client.js";
import { commitSchema, pullSchema, type GithubCommit, type GithubPull } from "./schemas.js";

export interface GitHubSyncOptions {
  /** Name of this GitHub connection, under which the checkpoints are kept. */
  name: string;
  /** The REST API root the client was created for. A mismatch is a USAGE error. */
  apiUrl?: string;
  /** Repositories to read, as "owner/name". No other repository is requested. */
  repositories: readonly string[];
  now?: () => number;
  /** How far before each checkpoint a sync reads again, in milliseconds, for every resource. */
  overlapMs?: number;
  /** Called after each written list page. */
  onPage?: (report: GitHubSyncReport) => void;
}

type Kind = "commits" | "pullRequests" | "reviews";
export type GitHubSyncReport = CodeHostSyncReport<Kind>;

const LABELS: Readonly<Record<Kind, string>> = { commits: "commits", pullRequests: "pull requests", reviews: "reviews" };

/**
 * Default overlap of commit scans: 1 day. GitHub filters commits by committer date, and
 * a commit reaches GitHub when it is pushed, which can be hours after it was committed.
 */
export const GITHUB_COMMIT_OVERLAP_MS = 24 * 3_600_000;
/** Default overlap of pull request scans: 5 minutes, for updates written while the last page was read. */
export const GITHUB_PULL_OVERLAP_MS = 5 * 60_000;

const PER_PAGE = 100;

/**
 * Pulls the commits on each repository's default branch and its pull requests with
 * their reviews into the store, as the activities the push, pull_request and
 * pull_request_review webhooks write, so both ways dedupe. Each list page is written
 * with its checkpoint in one transaction, so an interrupted sync resumes and a re-run
 * adds nothing. Throws on the first request that fails after its retries, and the pages
 * written before it stay written.
 */
export async function syncGitHub(store: Store, client: RestClient, options: GitHubSyncOptions): Promise<GitHubSyncReport> {
  const repositories = checkRepositoryList(options.repositories, "repositories", 2);
  checkApiUrl(client, options.apiUrl ?? DEFAULT_GITHUB_API_URL);

  const report = emptySyncReport("github", options.name, LABELS);
  const context: ScanContext<Kind> = {
    store,
    integration: `github ${options.name}`,
    overlapMs: 0,
    now: options.now ?? Date.now,
    report,
    onPage: () => {
      summarizeReport(report, LABELS);
      options.onPage?.(report);
    },
  };
  try {
    for (const repository of repositories) {
      await runScan({ ...context, overlapMs: options.overlapMs ?? GITHUB_COMMIT_OVERLAP_MS }, commitList(client, repository));
      await runScan({ ...context, overlapMs: options.overlapMs ?? GITHUB_PULL_OVERLAP_MS }, pullList(client, repository));
    }
  } catch (error) {
    throw withPagesWritten(error, report.pages);
  }
  summarizeReport(report, LABELS);
  return report;
}

/** Commits of the default branch, newest first by committer date, which `since` and `until` filter by. */
function commitList(client: RestClient, repository: string): DescendingList<Kind, Parsed<GithubCommit>> {
  const path = `${repositoryPath(repository)}/commits`;
  return {
    resource: `${repository} commits`,
    filtersSince: true,
    async *pages({ since, until }) {
      const query: Record<string, string | number> = { per_page: PER_PAGE };
      if (since !== undefined) query["since"] = queryInstant(since, "down");
      if (until !== undefined) query["until"] = queryInstant(until, "up");
      for await (const page of githubPages(client, path, query)) {
        yield { items: parseItems(page.body, commitSchema, `GET ${client.pathname(path)} page ${page.number}`), last: page.next === undefined };
      }
    },
    timeOf: (item) => (item.ok ? instantOf(item.value.commit.committer?.date) : undefined),
    build: (items) => {
      const records: ActivityInput[] = [];
      const skipped: SkippedRecord[] = [];
      for (const item of items) {
        const outcome = item.ok ? githubCommitActivity(item.value, { repo: repository, branch: undefined }) : item;
        if (outcome.ok) records.push(outcome.activity);
        else skipped.push(outcome.skipped);
      }
      return Promise.resolve({ groups: [{ kind: "commits", records }], skipped });
    },
  };
}

/** Pull requests, most recently updated first. The list has no time filter, so the scan stops at the checkpoint. */
function pullList(client: RestClient, repository: string): DescendingList<Kind, Parsed<GithubPull>> {
  const path = `${repositoryPath(repository)}/pulls`;
  return {
    resource: `${repository} pull requests`,
    filtersSince: false,
    async *pages() {
      for await (const page of githubPages(client, path, { state: "all", sort: "updated", direction: "desc", per_page: PER_PAGE })) {
        yield { items: parseItems(page.body, pullSchema, `GET ${client.pathname(path)} page ${page.number}`), last: page.next === undefined };
      }
    },
    timeOf: (item) => (item.ok ? instantOf(item.value.updated_at) : undefined),
    build: async (items) => {
      const pulls: ActivityInput[] = [];
      const reviews: ActivityInput[] = [];
      const skipped: SkippedRecord[] = [];
      for (const item of items) {
        if (!item.ok) {
          skipped.push(item.skipped);
          continue;
        }
        const opened = openedPullRequestActivity(item.value, repository);
        if (opened.ok) pulls.push(opened.activity);
        else skipped.push(opened.skipped);
        await readReviews(client, repository, item.value, reviews, skipped);
      }
      return { groups: [{ kind: "pullRequests", records: pulls }, { kind: "reviews", records: reviews }], skipped };
    },
  };
}

/**
 * Reads every review of a pull request.
 * NOTE: reviews of pull requests older than the checkpoint are not read again. That relies on a
 * submitted review moving the pull request's `updated_at`, which GitHub's REST reference does not state.
 */
async function readReviews(client: RestClient, repository: string, pull: GithubPull, into: ActivityInput[], skipped: SkippedRecord[]): Promise<void> {
  let index = 0;
  for await (const page of githubPages(client, `${repositoryPath(repository)}/pulls/${pull.number}/reviews`, { per_page: PER_PAGE })) {
    if (!Array.isArray(page.body)) {
      throw new WorklensError("INVALID_INPUT", `GET ${client.pathname(`${repositoryPath(repository)}/pulls/${pull.number}/reviews`)} returned a body that is not a JSON array`, "check that the API URL points at GitHub's REST API");
    }
    for (const raw of page.body) {
      const outcome = reviewActivity(raw, pull, repository, index);
      index += 1;
      if (outcome.ok) into.push(outcome.activity);
      else skipped.push(outcome.skipped);
    }
  }
}

function instantOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseOffsetInstant(text)?.instant;
}

function checkApiUrl(client: RestClient, apiUrl: string): void {
  const expected = new URL(apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`).href;
  if (expected !== client.base.href) {
    throw new WorklensError("USAGE", `apiUrl ${expected} differs from the URL the client was created for, ${client.base.href}`, "create the client with createGitHubClient and the same apiUrl");
  }
}
