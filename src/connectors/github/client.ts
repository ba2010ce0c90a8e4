import { WorklensError } from "../../domain/errors.js";
import type { HttpClientOptions } from "../http/client.js";
import { adaptGithubRateLimit } from "../code-host/rate-limit.js";
import { nextLink, readPages, RestClient, type FetchedPage } from "../code-host/rest-client.js";

/** Environment variable holding the GitHub token. */
export const GITHUB_TOKEN_ENV = "WORKLENS_GITHUB_TOKEN";

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** The REST API version each request names in X-GitHub-Api-Version. GitHub returns that version's shapes. */
export const GITHUB_API_VERSION = "2022-11-28";

export type GitHubClientOptions = Omit<HttpClientOptions, "baseUrl" | "authorization" | "authHint" | "fetch"> & {
  /** The REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl?: string;
  /** The process environment, read once here for the token. */
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
};

/** Creates a REST client for GitHub with the token from WORKLENS_GITHUB_TOKEN. Throws a USAGE error when it is not set. */
export function createGitHubClient(options: GitHubClientOptions): RestClient {
  const { apiUrl = DEFAULT_GITHUB_API_URL, env, ...http } = options;
  const token = env[GITHUB_TOKEN_ENV]?.trim() ?? "";
  if (token === "") {
    throw new WorklensError(
      "USAGE",
      `${GITHUB_TOKEN_ENV} is not set`,
      `set ${GITHUB_TOKEN_ENV} to a GitHub token that can read the repositories' contents, metadata and pull requests`,
    );
  }
  return new RestClient({
    ...http,
    baseUrl: apiUrl,
    authorization: `Bearer ${token}`,
    authHint: `check ${GITHUB_TOKEN_ENV}, and that the token can read the repositories' contents and pull requests`,
    headers: { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": GITHUB_API_VERSION },
    adaptResponse: adaptGithubRateLimit,
  });
}

/** Reads a GitHub list page by page, following the `rel="next"` Link header as GitHub's paging guide recommends. */
export function githubPages(client: RestClient, path: string, query: Record<string, string | number>): AsyncGenerator<FetchedPage> {
  return readPages(client, { path, query }, (response, current) => {
    const link = nextLink(response.headers.get("link"));
    return link === undefined ? undefined : { path: client.relativePath(link, current.path) };
  });
}

/** Returns the API path of a repository, with each part encoded. */
export function repositoryPath(repository: string): string {
  return `repos/${repository.split("/").map(encodeURIComponent).join("/")}`;
}
