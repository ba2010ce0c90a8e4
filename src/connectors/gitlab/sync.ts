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
import { gitlabCommitActivity, noteActivity, openedMergeRequestActivity } from "./activities.js";
import { apiRoot, gitlabPages, projectPath } from "./client.js";
import { commitSchema, mergeRequestSchema, type GitlabCommit, type GitlabMergeRequest } from "./schemas.js";

export interface GitLabSyncOptions {
  /** Name of this GitLab connection, under which the checkpoints are kept. */
  name: string;
  /** The GitLab instance the client was created for, such as https://gitlab.com. A mismatch is a USAGE error. */
  url: string;
  /** Projects to read, as "group/project" or "group/subgroup/project". No other project is requested. */
  projects: readonly string[];
  now?: () => number;
  /** How far before each checkpoint a sync reads again, in milliseconds, for every resource. */
  overlapMs?: number;
  /** Called after each written list page. */
  onPage?: (report: GitLabSyncReport) => void;
}

type Kind = "commits" | "mergeRequests" | "notes";
export type GitLabSyncReport = CodeHostSyncReport<Kind>;

const LABELS: Readonly<Record<Kind, string>> = { commits: "commits", mergeRequests: "merge requests", notes: "notes" };

/**
 * Default overlap of commit scans: 1 day. GitLab filters commits by committer date, and
 * a commit reaches GitLab when it is pushed, which can be hours after it was committed.
 */
export const GITLAB_COMMIT_OVERLAP_MS = 24 * 3_600_000;
/** Default overlap of merge request scans: 5 minutes, for updates written while the last page was read. */
export const GITLAB_MERGE_REQUEST_OVERLAP_MS = 5 * 60_000;

const PER_PAGE = 100;

/**
 * Pulls the commits of every branch of each project and its merge requests with their
 * notes into the store, as the activities the Push, Merge Request and Note hooks write,
 * so both ways dedupe. Each list page is written with its checkpoint in one transaction,
 * so an interrupted sync resumes and a re-run adds nothing. Throws on the first request
 * that fails after its retries, and the pages written before it stay written.
 */
export async function syncGitLab(store: Store, client: RestClient, options: GitLabSyncOptions): Promise<GitLabSyncReport> {
  const projects = checkRepositoryList(options.projects, "projects", undefined);
  if (new URL(apiRoot(options.url)).href !== client.base.href) {
    throw new WorklensError("USAGE", `url ${options.url} differs from the URL the client was created for, ${client.base.href}`, "create the client with createGitLabClient and the same url");
  }

  const report = emptySyncReport("gitlab", options.name, LABELS);
  const context: ScanContext<Kind> = {
    store,
    integration: `gitlab ${options.name}`,
    overlapMs: 0,
    now: options.now ?? Date.now,
    report,
    onPage: () => {
      summarizeReport(report, LABELS);
      options.onPage?.(report);
    },
  };
  try {
    for (const project of projects) {
      await runScan({ ...context, overlapMs: options.overlapMs ?? GITLAB_COMMIT_OVERLAP_MS }, commitList(client, project));
      await runScan({ ...context, overlapMs: options.overlapMs ?? GITLAB_MERGE_REQUEST_OVERLAP_MS }, mergeRequestList(client, project));
    }
  } catch (error) {
    throw withPagesWritten(error, report.pages);
  }
  summarizeReport(report, LABELS);
  return report;
}

/** Commits of all branches (`all=true`), newest first by committer date, which `since` and `until` filter by. */
function commitList(client: RestClient, project: string): DescendingList<Kind, Parsed<GitlabCommit>> {
  const path = `${projectPath(project)}/repository/commits`;
  return {
    resource: `${project} commits`,
    filtersSince: true,
    async *pages({ since, until }) {
      const query: Record<string, string | number> = { all: "true", per_page: PER_PAGE };
      if (since !== undefined) query["since"] = queryInstant(since, "down");
      if (until !== undefined) query["until"] = queryInstant(until, "up");
      for await (const page of gitlabPages(client, path, query)) {
        yield { items: parseItems(page.body, commitSchema, `GET ${client.pathname(path)} page ${page.number}`), last: page.next === undefined };
      }
    },
    timeOf: (item) => (item.ok ? parseOffsetInstant(item.value.committed_date)?.instant : undefined),
    build: (items) => {
      const records: ActivityInput[] = [];
      const skipped: SkippedRecord[] = [];
      for (const item of items) {
        // A listing does not say which branch a commit was pushed to, so only its message gives keys.
        const outcome = item.ok ? gitlabCommitActivity(item.value, { repo: project, branch: undefined }) : item;
        if (outcome.ok) records.push(outcome.activity);
        else skipped.push(outcome.skipped);
      }
      return Promise.resolve({ groups: [{ kind: "commits", records }], skipped });
    },
  };
}

/** Merge requests, most recently updated first, filtered by `updated_after` and `updated_before`. */
function mergeRequestList(client: RestClient, project: string): DescendingList<Kind, Parsed<GitlabMergeRequest>> {
  const path = `${projectPath(project)}/merge_requests`;
  return {
    resource: `${project} merge requests`,
    filtersSince: true,
    async *pages({ since, until }) {
      const query: Record<string, string | number> = { scope: "all", state: "all", order_by: "updated_at", sort: "desc", per_page: PER_PAGE };
      if (since !== undefined) query["updated_after"] = queryInstant(since, "down");
      if (until !== undefined) query["updated_before"] = queryInstant(until, "up");
      for await (const page of gitlabPages(client, path, query)) {
        yield { items: parseItems(page.body, mergeRequestSchema, `GET ${client.pathname(path)} page ${page.number}`), last: page.next === undefined };
      }
    },
    timeOf: (item) => (item.ok ? parseOffsetInstant(item.value.updated_at)?.instant : undefined),
    build: async (items) => {
      const mergeRequests: ActivityInput[] = [];
      const notes: ActivityInput[] = [];
      const skipped: SkippedRecord[] = [];
      for (const item of items) {
        if (!item.ok) {
          skipped.push(item.skipped);
          continue;
        }
        const opened = openedMergeRequestActivity(item.value, project);
        if (opened.ok) mergeRequests.push(opened.activity);
        else skipped.push(opened.skipped);
        await readNotes(client, project, item.value, notes, skipped);
      }
      return { groups: [{ kind: "mergeRequests", records: mergeRequests }, { kind: "notes", records: notes }], skipped };
    },
  };
}

/**
 * Reads every note of a merge request.
 * NOTE: notes of merge requests older than the checkpoint are not read again. That relies on a
 * new note moving the merge request's `updated_at`, which GitLab's REST reference does not state.
 */
async function readNotes(client: RestClient, project: string, mr: GitlabMergeRequest, into: ActivityInput[], skipped: SkippedRecord[]): Promise<void> {
  const path = `${projectPath(project)}/merge_requests/${mr.iid}/notes`;
  let index = 0;
  for await (const page of gitlabPages(client, path, { sort: "asc", order_by: "created_at", per_page: PER_PAGE })) {
    if (!Array.isArray(page.body)) {
      throw new WorklensError("INVALID_INPUT", `GET ${client.pathname(path)} returned a body that is not a JSON array`, "check that the URL points at a GitLab instance");
    }
    for (const raw of page.body) {
      const outcome = noteActivity(raw, mr, project, index);
      index += 1;
      if (outcome.ok) into.push(outcome.activity);
      else skipped.push(outcome.skipped);
    }
  }
}
