import { WorklensError } from "../../domain/errors.js";

/** A path segment GitHub and GitLab allow in owner, group and repository names. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A full commit hash: SHA-1 (40 hex digits) or SHA-256 (64). */
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Returns whether `sha` is the all-zero hash a push sends as `before` when it creates the branch, or as `after` when it deletes it. */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/**
 * Checks an allowlist of repository paths and returns it without repeats. `segments`
 * is 2 for GitHub's "owner/name" and undefined for GitLab's "group/sub/project" of two or more.
 */
export function checkRepositoryList(list: readonly string[], option: string, segments: number | undefined): string[] {
  if (list.length === 0) {
    throw new WorklensError("USAGE", `${option} is empty`, `name at least one repository in ${option}; worklens reads only the repositories listed there`);
  }
  for (const path of list) checkRepositoryPath(path, option, segments);
  return [...new Set(list)];
}

/** Throws a USAGE error naming the option when `path` is not a repository path of the expected shape. */
export function checkRepositoryPath(path: string, option: string, segments: number | undefined): void {
  const parts = path.split("/");
  const countOk = segments === undefined ? parts.length >= 2 : parts.length === segments;
  if (!countOk || !parts.every((part) => SEGMENT.test(part) && !part.endsWith(".git"))) {
    const shape = segments === 2 ? '"owner/name", such as "acme/api"' : '"group/project" or "group/subgroup/project"';
    throw new WorklensError("USAGE", `${option} contains an invalid repository path "${clip(path)}"`, `write each repository as ${shape}, without a host or ".git"`);
  }
}

/** Throws a USAGE error naming the field when `sha` is not a full commit hash. */
export function checkSha(sha: string, field: string): void {
  if (!SHA.test(sha)) {
    throw new WorklensError("USAGE", `${field} is not a full commit hash`, "pass the 40- or 64-digit hexadecimal hash from the push payload");
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
