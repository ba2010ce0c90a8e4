import type { IdentityInput } from "../../domain/types.js";

/** GitLab writes "[REDACTED]" in place of an e-mail its owner keeps private. */
export const REDACTED_EMAIL = "[REDACTED]";

/** The fields of a GitLab account that identify it: webhook `user` and REST `author` objects both carry them. */
export interface GitlabAccount {
  username: string;
  name?: string | null | undefined;
  email?: string | null | undefined;
}

/**
 * Returns the identity of a GitLab account. Source has no "gitlab" member, so the
 * username is stored as a git identity with a "gitlab:" prefix, apart from e-mail identities.
 * NOTE: nothing links a username to the author e-mails of the same person yet; the people mapping must do that.
 */
export function gitlabIdentity(user: GitlabAccount): IdentityInput {
  const identity: IdentityInput = { source: "git", externalId: `gitlab:${user.username.toLowerCase()}` };
  const name = user.name?.trim();
  identity.displayName = name === undefined || name === "" ? user.username : name;
  if (user.email !== null && user.email !== undefined && user.email !== "" && user.email !== REDACTED_EMAIL) identity.email = user.email;
  return identity;
}
