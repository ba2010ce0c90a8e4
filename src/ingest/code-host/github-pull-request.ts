import { extractIssueKeys } from "../../domain/issue-keys.js";
import { offsetZoneName } from "../../domain/time.js";
import type { ActivityInput, IdentityInput } from "../../domain/types.js";

/** The fields of a GitHub account that identify it, which webhook and REST bodies both contain. */
export interface GithubAccount {
  login: string;
}

/**
 * Returns the identity of a GitHub account. Source has no "github" member, so the login
 * is stored as a git identity with a "github:" prefix, apart from e-mail identities.
 * NOTE: nothing links a login to the author e-mails of the same person yet; the people mapping must do that.
 */
export function githubIdentity(user: GithubAccount): IdentityInput {
  return { source: "git", externalId: `github:${user.login.toLowerCase()}`, displayName: user.login };
}

export interface PullRequestFacts {
  sourceUid: string;
  actor: IdentityInput;
  instant: number;
  offsetMinutes: number;
  repo: string;
  pr: { number: number; title: string; head: { ref: string } };
}

/** Builds the pull_request activity of one act on a pull request; the caller sets the source uid, actor and time. */
export function pullRequestActivity(facts: PullRequestFacts): ActivityInput {
  const { pr } = facts;
  const keys = [...new Set([...extractIssueKeys(pr.title), ...extractIssueKeys(pr.head.ref)])];
  return {
    sourceUid: facts.sourceUid,
    source: "git",
    kind: "pull_request",
    actor: facts.actor,
    startAt: facts.instant,
    endAt: facts.instant,
    tz: offsetZoneName(facts.offsetMinutes),
    dateOnly: false,
    repo: facts.repo,
    explicitKeys: keys,
    text: { title: pr.title, branch: pr.head.ref },
  };
}
