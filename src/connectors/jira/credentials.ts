import { WorklensError } from "../../domain/errors.js";
import type { JiraFlavor } from "./flavor.js";

/** Environment variables holding Jira credentials. */
export const JIRA_ENV = {
  email: "WORKLENS_JIRA_EMAIL",
  apiToken: "WORKLENS_JIRA_API_TOKEN",
  pat: "WORKLENS_JIRA_PAT",
} as const;

/**
 * Reads the credentials of a flavor from the environment and returns the
 * Authorization header value: Basic with e-mail and API token for Cloud, Bearer
 * with a personal access token for Data Center. Throws naming the missing variable.
 */
export function jiraAuthorization(flavor: JiraFlavor, env: NodeJS.ProcessEnv): string {
  if (flavor === "data-center") {
    const pat = requireVariable(env, JIRA_ENV.pat, "a personal access token (Jira profile > Personal Access Tokens)");
    return `Bearer ${pat}`;
  }
  const email = requireVariable(env, JIRA_ENV.email, "the e-mail address of the Atlassian account that syncs");
  const token = requireVariable(env, JIRA_ENV.apiToken, "an API token of that account (id.atlassian.com > Security > API tokens)");
  return `Basic ${Buffer.from(`${email}:${token}`, "utf8").toString("base64")}`;
}

/** Hint for a 401 or 403, naming the variables of the flavor. */
export function jiraAuthHint(flavor: JiraFlavor): string {
  return flavor === "cloud"
    ? `check ${JIRA_ENV.email} and ${JIRA_ENV.apiToken}, and that the account can browse the projects`
    : `check ${JIRA_ENV.pat}, and that the token's user can browse the projects`;
}

function requireVariable(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name]?.trim() ?? "";
  if (value === "") throw new WorklensError("USAGE", `${name} is not set`, `set ${name} to ${what}`);
  return value;
}
