import { linkHeader, pageOf, startJsonServer, utc, type JsonServer, type PageSlice, type RecordedRequest, type Reply } from "../../code-host/test-support/json-server.js";

/** A commit of a mock project. Histories are linear: each commit's parent is the one before it. */
export interface MockCommit {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** Author date with the author's offset, such as 2025-03-10T08:15:00+01:00, which GitLab keeps. */
  authoredAt: string;
  /** Committer date, which `since` and `until` filter by. The author date when absent. */
  committedAt?: string;
}

export interface MockUser {
  id: number;
  username: string;
  name: string;
}

export interface MockNote {
  id: number;
  body: string;
  author: MockUser;
  createdAt: string;
  system?: boolean;
  internal?: boolean;
}

export interface MockMergeRequest {
  iid: number;
  title: string;
  description?: string;
  sourceBranch: string;
  author: MockUser;
  createdAt: string;
  updatedAt: string;
  notes?: MockNote[];
}

export interface MockProject {
  id: number;
  /** "group/project" or "group/subgroup/project". */
  path: string;
  /** Oldest first. */
  commits: MockCommit[];
  mergeRequests?: MockMergeRequest[];
}

export interface MockGitLabOptions {
  projects: MockProject[];
  /** The token the server accepts in PRIVATE-TOKEN. */
  token: string;
  /** Largest page the server sends, below GitLab's 100, so tests page with little data. */
  pageSize?: number;
  /** Sends only the Link header, as GitLab's keyset paging does, and no x-next-page. */
  linkOnly?: boolean;
  /** The first `times` requests `match` holds for get a 429 with Retry-After `retryAfter` seconds. */
  rateLimits?: { match: (request: RecordedRequest) => boolean; times?: number; retryAfter?: number }[];
  /** Called before each request is served. A returned reply is sent instead, to inject failures. */
  intercept?: (request: RecordedRequest) => Reply | undefined;
}

/**
 * Starts a GitLab REST API v4 mock on 127.0.0.1 at a free port. It serves in GitLab's
 * response shapes the commits of a project (`ref_name` as a commit or a `from..to` range,
 * `since`, `until`, `all`), its merge requests (`updated_after`, `updated_before`, ordered
 * by update) and their notes. Lists are paged by `page` and `per_page`, with the x-page headers and Link.
 */
export function startMockGitLab(options: MockGitLabOptions): Promise<JsonServer> {
  const injected = (options.rateLimits ?? []).map((injection) => ({ ...injection, left: injection.times ?? 1 }));
  return startJsonServer((request, origin) => {
    const limit = injected.find((injection) => injection.left > 0 && injection.match(request));
    if (limit !== undefined) {
      limit.left -= 1;
      return { status: 429, body: { message: "Retry later" }, headers: { "retry-after": String(limit.retryAfter ?? 2), "ratelimit-remaining": "0" } };
    }
    const override = options.intercept?.(request);
    if (override !== undefined) return override;
    if (request.headers["private-token"] !== options.token) return { status: 401, body: { message: "401 Unauthorized" } };
    return route(request, origin, options);
  });
}

function route(request: RecordedRequest, origin: string, options: MockGitLabOptions): Reply {
  const match = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(request.path);
  const id = decodeURIComponent(match?.[1] ?? "");
  const project = options.projects.find((p) => String(p.id) === id || p.path === id);
  if (match === null || project === undefined) return { status: 404, body: { message: "404 Project Not Found" } };

  const rest = match[2] ?? "";
  const list = (items: readonly unknown[]): Reply => {
    const slice = pageOf(items, request.query, 20, Math.min(options.pageSize ?? 100, 100));
    return { status: 200, body: slice.items, headers: pagingHeaders(origin, request, slice, items.length, options.linkOnly === true) };
  };

  if (rest === "repository/commits") return list(commitsOf(project, request.query).map((index) => commitJson(project, index)));
  if (rest === "merge_requests") return list(mergeRequestsOf(project, request.query).map((mr) => mergeRequestJson(project, mr)));
  const notes = /^merge_requests\/(\d+)\/notes$/.exec(rest);
  const mr = project.mergeRequests?.find((m) => String(m.iid) === notes?.[1]);
  if (mr !== undefined) return list((mr.notes ?? []).map((note) => noteJson(project, mr, note)));
  return { status: 404, body: { message: "404 Not Found" } };
}

/** Indexes of the commits `ref_name` selects (a commit, or `from..to`), newest first, within `since` and `until`. */
function commitsOf(project: MockProject, query: URLSearchParams): number[] {
  const ref = query.get("ref_name") ?? project.commits.at(-1)?.sha ?? "";
  const [from, to] = ref.includes("..") ? ref.split("..") : [undefined, ref];
  const head = project.commits.findIndex((c) => c.sha === to);
  const base = from === undefined ? -1 : project.commits.findIndex((c) => c.sha === from);
  const since = query.has("since") ? Date.parse(query.get("since") ?? "") : -Infinity;
  const until = query.has("until") ? Date.parse(query.get("until") ?? "") : Infinity;
  const indexes: number[] = [];
  for (let index = head; index > base; index -= 1) {
    const commit = project.commits[index];
    const at = Date.parse(commit?.committedAt ?? commit?.authoredAt ?? "");
    if (at >= since && at <= until) indexes.push(index);
  }
  return indexes;
}

function mergeRequestsOf(project: MockProject, query: URLSearchParams): MockMergeRequest[] {
  const after = query.has("updated_after") ? Date.parse(query.get("updated_after") ?? "") : -Infinity;
  const before = query.has("updated_before") ? Date.parse(query.get("updated_before") ?? "") : Infinity;
  const field = query.get("order_by") === "updated_at" ? "updatedAt" : "createdAt";
  const sign = query.get("sort") === "asc" ? 1 : -1;
  return (project.mergeRequests ?? [])
    .filter((mr) => Date.parse(mr.updatedAt) >= after && Date.parse(mr.updatedAt) <= before)
    .sort((a, b) => sign * (Date.parse(a[field]) - Date.parse(b[field])));
}

function pagingHeaders(origin: string, request: RecordedRequest, slice: PageSlice<unknown>, total: number, linkOnly: boolean): Record<string, string> {
  const headers: Record<string, string> = { link: linkHeader(origin, request, slice) };
  if (linkOnly) return headers;
  return {
    ...headers,
    "x-page": String(slice.page),
    "x-per-page": String(slice.perPage),
    "x-total": String(total),
    "x-total-pages": String(slice.totalPages),
    "x-next-page": slice.page < slice.totalPages ? String(slice.page + 1) : "",
    "x-prev-page": slice.page > 1 ? String(slice.page - 1) : "",
  };
}

function userJson(user: MockUser): unknown {
  return { id: user.id, username: user.username, name: user.name, state: "active", locked: false, avatar_url: null, web_url: `https://gitlab.example.com/${user.username}` };
}

function commitJson(project: MockProject, index: number): unknown {
  const commit = project.commits[index];
  if (commit === undefined) throw new Error(`no commit at index ${index}`);
  const parent = project.commits[index - 1];
  const committed = commit.committedAt ?? commit.authoredAt;
  return {
    id: commit.sha,
    short_id: commit.sha.slice(0, 8),
    created_at: committed,
    parent_ids: parent === undefined ? [] : [parent.sha],
    title: commit.message.split("\n", 1)[0] ?? "",
    message: commit.message,
    author_name: commit.authorName,
    author_email: commit.authorEmail,
    authored_date: commit.authoredAt,
    committer_name: commit.authorName,
    committer_email: commit.authorEmail,
    committed_date: committed,
    trailers: {},
    extended_trailers: {},
    web_url: `https://gitlab.example.com/${project.path}/-/commit/${commit.sha}`,
  };
}

function mergeRequestJson(project: MockProject, mr: MockMergeRequest): unknown {
  return {
    id: project.id * 1_000 + mr.iid,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: mr.description ?? null,
    state: "opened",
    created_at: utc(mr.createdAt, true),
    updated_at: utc(mr.updatedAt, true),
    merged_by: null,
    merge_user: null,
    merged_at: null,
    closed_by: null,
    closed_at: null,
    target_branch: "main",
    source_branch: mr.sourceBranch,
    user_notes_count: mr.notes?.length ?? 0,
    upvotes: 0,
    downvotes: 0,
    author: userJson(mr.author),
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: project.id,
    target_project_id: project.id,
    labels: [],
    draft: false,
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: "can_be_merged",
    detailed_merge_status: "mergeable",
    sha: project.commits.at(-1)?.sha ?? null,
    merge_commit_sha: null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: true,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${project.path}!${mr.iid}` },
    web_url: `https://gitlab.example.com/${project.path}/-/merge_requests/${mr.iid}`,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    squash: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  };
}

function noteJson(project: MockProject, mr: MockMergeRequest, note: MockNote): unknown {
  return {
    id: note.id,
    type: null,
    body: note.body,
    attachment: null,
    author: userJson(note.author),
    created_at: utc(note.createdAt, true),
    updated_at: utc(note.createdAt, true),
    system: note.system ?? false,
    noteable_id: project.id * 1_000 + mr.iid,
    noteable_type: "MergeRequest",
    project_id: project.id,
    resolvable: false,
    confidential: note.internal ?? false,
    internal: note.internal ?? false,
    imported: false,
    imported_from: "none",
    noteable_iid: mr.iid,
    commands_changes: {},
  };
}
