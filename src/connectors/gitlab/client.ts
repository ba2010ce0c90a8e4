import { WorklensError } from "../../domain/errors.js";
import type { HttpClientOptions } from "../http/client.js";
import { nextLink, readPages, RestClient, type FetchedPage, type PageRequest } from "../code-host/rest-client.js";

/** Environment variable holding the GitLab token. */
export const GITLAB_TOKEN_ENV = "WORKLENS_GITLAB_TOKEN";

export type GitLabClientOptions = Omit<HttpClientOptions, "baseUrl" | "authorization" | "authHint" | "fetch"> & {
  /** The GitLab instance, such as https://gitlab.com or https://gitlab.example.com/gitlab. The client adds /api/v4. */
  url: string;
  /** The process environment, read once here for the token. */
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
};

/** Creates a REST client for GitLab's API v4 that sends the token from WORKLENS_GITLAB_TOKEN as PRIVATE-TOKEN. Throws a USAGE error when it is not set. */
export function createGitLabClient(options: GitLabClientOptions): RestClient {
  const { url, env, ...http } = options;
  const token = env[GITLAB_TOKEN_ENV]?.trim() ?? "";
  if (token === "") {
    throw new WorklensError("USAGE", `${GITLAB_TOKEN_ENV} is not set`, `set ${GITLAB_TOKEN_ENV} to a GitLab personal, group or project access token with the read_api scope`);
  }
  return new RestClient({
    ...http,
    baseUrl: apiRoot(url),
    // GitLab takes the token in its own header, so no Authorization header is sent.
    authorization: "",
    omitAuthorization: true,
    headers: { "PRIVATE-TOKEN": token },
    authHint: `check ${GITLAB_TOKEN_ENV}, its read_api scope, and that its user can read the projects`,
  });
}

/** Returns the API v4 root of a GitLab URL, with a trailing slash. */
export function apiRoot(url: string): string {
  return `${url.replace(/\/+$/, "")}/api/v4/`;
}

/**
 * Reads a GitLab list page by page: by the `x-next-page` header of offset paging, else
 * by the `rel="next"` Link header, which keyset paging sends alone.
 */
export function gitlabPages(client: RestClient, path: string, query: Record<string, string | number>): AsyncGenerator<FetchedPage> {
  return readPages(client, { path, query }, (response, current): PageRequest | undefined => {
    const nextPage = response.headers.get("x-next-page")?.trim() ?? "";
    if (/^\d+$/.test(nextPage)) return { path: current.path, query: { ...current.query, page: Number(nextPage) } };
    const link = nextLink(response.headers.get("link"));
    return link === undefined ? undefined : { path: client.relativePath(link, current.path) };
  });
}

/** Returns the API path of a project: its numeric id, or its path URL-encoded as GitLab requires. */
export function projectPath(project: string | number): string {
  return `projects/${encodeURIComponent(String(project))}`;
}
