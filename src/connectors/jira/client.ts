import { HttpClient, type HttpClientOptions } from "../http/client.js";
import { jiraAuthHint, jiraAuthorization } from "./credentials.js";
import type { JiraFlavor } from "./flavor.js";

export type JiraClientOptions = Omit<HttpClientOptions, "authorization" | "authHint"> & {
  flavor: JiraFlavor;
  /** The process environment, read once here for the flavor's credential variables. */
  env: NodeJS.ProcessEnv;
};

/** Creates an HTTP client for a Jira instance with the flavor's credentials; throws naming a missing variable. */
export function createJiraClient(options: JiraClientOptions): HttpClient {
  const { flavor, env, ...http } = options;
  return new HttpClient({ ...http, authorization: jiraAuthorization(flavor, env), authHint: jiraAuthHint(flavor) });
}
