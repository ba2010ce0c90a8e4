/**
 * Jira issue keys: a project key (an upper-case letter, then upper-case letters, digits
 * or underscores) and a number, as Jira's default project key pattern allows.
 */
const KEY_PATTERN = /(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]{1,}-[1-9][0-9]*)(?![0-9])/g;
const BROWSE_URL_PATTERN = /\S*\/browse\/([A-Z][A-Z0-9_]+-[1-9][0-9]*)\S*/g;

/** Keys named in a text or branch name, in order of first mention, without repeats. */
export function extractIssueKeys(text: string, projects?: ReadonlySet<string>): string[] {
  const upper = text.replace(/(?<![A-Za-z0-9])([a-z][a-z0-9_]+)-(\d+)/g, (whole, project: string, number: string) =>
    projects?.has(project.toUpperCase()) ? `${project.toUpperCase()}-${number}` : whole,
  );
  const keys = new Set<string>();
  for (const match of upper.matchAll(KEY_PATTERN)) {
    const key = match[1];
    if (key === undefined) continue;
    if (projects && !projects.has(projectOf(key))) continue;
    keys.add(key);
  }
  return [...keys];
}

export function projectOf(key: string): string {
  return key.slice(0, key.lastIndexOf("-"));
}

/** Remove every issue key and Jira browse URL from a text, for evaluation with keys hidden. */
export function maskIssueKeys(text: string): string {
  return text.replace(BROWSE_URL_PATTERN, " ").replace(KEY_PATTERN, " ");
}
