import { linkHeader, pageOf, startJsonServer, utc, type JsonServer, type RecordedRequest, type Reply } from "../../code-host/test-support/json-server.js";
import { examplePull, exampleReview, exampleUser } from "./examples.js";

/** A commit of a mock repository. Histories are linear: each commit's parent is the one before it. */
export interface MockCommit {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** Author date with the author's offset, such as 2025-03-10T08:15:00+01:00. GitHub returns it in UTC. */
  authoredAt: string;
  /** Committer date, which `since` and `until` filter by. The author date when absent. */
  committedAt?: string;
  /** GitHub account of the author, or none when the e-mail matches no account. */
  login?: string;
}

export interface MockReview {
  id: number;
  /** Null for a deleted account. */
  reviewer: string | null;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  /** Absent for a pending review. */
  submittedAt?: string;
}

export interface MockPull {
  number: number;
  title: string;
  body?: string;
  headRef: string;
  author: string;
  createdAt: string;
  updatedAt: string;
  reviews?: MockReview[];
}

export interface MockRepository {
  /** Oldest first. */
  commits: MockCommit[];
  pulls?: MockPull[];
}

/** A rate-limit response to send in place of the normal one, the first `times` times `match` holds. */
export interface RateLimitInjection {
  match: (request: RecordedRequest) => boolean;
  /** Response sent: `secondary` is a 403 with retry-after, `primary` a 403 with x-ratelimit-remaining 0 and x-ratelimit-reset, `plain` a 429 with only a message. */
  kind: "secondary" | "primary" | "plain";
  times?: number;
  /** Seconds for retry-after, or the epoch second for x-ratelimit-reset. */
  value?: number;
}

export interface MockGitHubOptions {
  /** Repositories by "owner/name". */
  repositories: Record<string, MockRepository>;
  /** The token the server accepts as `Authorization: Bearer`. */
  token: string;
  /** Path prefix of the API, such as /api/v3 for GitHub Enterprise Server. */
  prefix?: string;
  /** Largest page the server sends, below GitHub's 100, so tests page with little data. */
  pageSize?: number;
  rateLimits?: RateLimitInjection[];
  /** Called before each request is served. A returned reply is sent instead, to inject failures. */
  intercept?: (request: RecordedRequest) => Reply | undefined;
}

/**
 * Starts a GitHub REST API mock on 127.0.0.1 at a free port. It serves the commits list
 * (`sha`, `since`, `until`), the comparison of two commits, the pull requests list sorted
 * by update and the reviews of a pull request, in GitHub's response shapes, paged by
 * `page` and `per_page` with a Link header.
 */
export function startMockGitHub(options: MockGitHubOptions): Promise<JsonServer> {
  const injected = (options.rateLimits ?? []).map((injection) => ({ ...injection, left: injection.times ?? 1 }));
  return startJsonServer((request, origin) => {
    const limit = injected.find((injection) => injection.left > 0 && injection.match(request));
    if (limit !== undefined) {
      limit.left -= 1;
      return rateLimitReply(limit);
    }
    const override = options.intercept?.(request);
    if (override !== undefined) return override;
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" } };
    }
    return route(request, origin, options);
  });
}

function route(request: RecordedRequest, origin: string, options: MockGitHubOptions): Reply {
  const prefix = options.prefix ?? "";
  const match = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(request.path.startsWith(prefix) ? request.path.slice(prefix.length) : "");
  const repository = match === null ? undefined : options.repositories[`${decodeURIComponent(match[1] ?? "")}/${decodeURIComponent(match[2] ?? "")}`];
  if (match === null || repository === undefined) return notFound();

  const rest = match[3] ?? "";
  const max = Math.min(options.pageSize ?? 100, 100);
  const list = (items: readonly unknown[]): Reply => {
    const slice = pageOf(items, request.query, 30, max);
    return { status: 200, body: slice.items, headers: { link: linkHeader(origin, request, slice) } };
  };

  if (rest === "commits") return list(commitsOf(repository, request.query).map((index) => commitJson(repository, index)));
  const compare = /^compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest);
  if (compare !== null) return comparison(repository, compare[1] ?? "", compare[2] ?? "", request, origin, max);
  if (rest === "pulls") {
    const pulls = [...(repository.pulls ?? [])].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
    return list(pulls.map(pullJson));
  }
  const reviews = /^pulls\/(\d+)\/reviews$/.exec(rest);
  const pull = repository.pulls?.find((p) => String(p.number) === reviews?.[1]);
  if (pull !== undefined) return list((pull.reviews ?? []).map(reviewJson));
  return notFound();
}

/** Indexes of the commits reachable from `sha` (default: the newest), newest first, within `since` and `until`. */
function commitsOf(repository: MockRepository, query: URLSearchParams): number[] {
  const sha = query.get("sha");
  const head = sha === null ? repository.commits.length - 1 : repository.commits.findIndex((c) => c.sha === sha);
  const since = query.has("since") ? Date.parse(query.get("since") ?? "") : -Infinity;
  const until = query.has("until") ? Date.parse(query.get("until") ?? "") : Infinity;
  const indexes: number[] = [];
  for (let index = head; index >= 0; index -= 1) {
    const commit = repository.commits[index];
    const at = Date.parse(commit?.committedAt ?? commit?.authoredAt ?? "");
    if (at >= since && at <= until) indexes.push(index);
  }
  return indexes;
}

function comparison(repository: MockRepository, base: string, head: string, request: RecordedRequest, origin: string, max: number): Reply {
  const from = repository.commits.findIndex((c) => c.sha === base);
  const to = repository.commits.findIndex((c) => c.sha === head);
  if (from < 0 || to < 0) return notFound();

  const all = repository.commits.slice(from + 1, to + 1).map((_, offset) => commitJson(repository, from + 1 + offset));
  // Without per_page, the mock lists up to 250 commits in one comparison.
  const slice = pageOf(all, request.query, 250, Math.min(max, 250));
  const body = {
    url: `${origin}${request.path}`,
    status: "ahead",
    ahead_by: all.length,
    behind_by: 0,
    total_commits: all.length,
    base_commit: commitJson(repository, from),
    merge_base_commit: commitJson(repository, from),
    commits: slice.items,
    // The files list comes on the first page only, with patches, as GitHub sends it.
    files: slice.page === 1 ? [{ sha: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1,2 @@\n # Project\n+More" }] : [],
  };
  return { status: 200, body, headers: { link: linkHeader(origin, request, slice) } };
}

function commitJson(repository: MockRepository, index: number): unknown {
  const commit = repository.commits[index];
  if (commit === undefined) throw new Error(`no commit at index ${index}`);
  const parent = repository.commits[index - 1];
  const account = commit.login === undefined ? null : exampleUser(commit.login);
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 12)}`,
    commit: {
      author: { name: commit.authorName, email: commit.authorEmail, date: utc(commit.authoredAt) },
      committer: { name: commit.authorName, email: commit.authorEmail, date: utc(commit.committedAt ?? commit.authoredAt) },
      message: commit.message,
      tree: { sha: "4b825dc642cb6eb9a060e54bf8d69288fbee4904", url: "https://api.github.com/repos/o/r/git/trees/4b825dc" },
      url: `https://api.github.com/repos/o/r/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    url: `https://api.github.com/repos/o/r/commits/${commit.sha}`,
    html_url: `https://github.com/o/r/commit/${commit.sha}`,
    comments_url: `https://api.github.com/repos/o/r/commits/${commit.sha}/comments`,
    author: account,
    committer: account,
    parents: parent === undefined ? [] : [{ sha: parent.sha, url: `https://api.github.com/repos/o/r/commits/${parent.sha}`, html_url: `https://github.com/o/r/commit/${parent.sha}` }],
  };
}

function pullJson(pull: MockPull): unknown {
  const template = examplePull();
  return {
    ...template,
    number: pull.number,
    title: pull.title,
    body: pull.body ?? null,
    user: exampleUser(pull.author),
    state: "open",
    created_at: utc(pull.createdAt),
    updated_at: utc(pull.updatedAt),
    closed_at: null,
    merged_at: null,
    head: { ...template.head, ref: pull.headRef },
  };
}

function reviewJson(review: MockReview): unknown {
  // A pending review has no submitted_at at all, so the template's is dropped and set only when given.
  const template = Object.fromEntries(Object.entries(exampleReview()).filter(([key]) => key !== "submitted_at"));
  return {
    ...template,
    id: review.id,
    user: review.reviewer === null ? null : exampleUser(review.reviewer),
    state: review.state,
    ...(review.submittedAt === undefined ? {} : { submitted_at: utc(review.submittedAt) }),
  };
}

function rateLimitReply(injection: RateLimitInjection): Reply {
  const documentation_url = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
  if (injection.kind === "secondary") {
    return { status: 403, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url }, headers: { "retry-after": String(injection.value ?? 3) } };
  }
  if (injection.kind === "primary") {
    const headers = { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000", "x-ratelimit-reset": String(injection.value ?? 0), "x-ratelimit-resource": "core" };
    return { status: 403, body: { message: "API rate limit exceeded for user ID 1.", documentation_url }, headers };
  }
  return { status: 429, body: { message: "You have exceeded a secondary rate limit.", documentation_url } };
}

function notFound(): Reply {
  return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" } };
}
