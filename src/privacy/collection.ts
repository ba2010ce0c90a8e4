import { z } from "zod";
import type { ActivityInput, ActivityMetrics, ActivityText, IssueInput } from "../domain/types.js";

/**
 * Collection policy: which text fields of each source worklens keeps, which repositories it
 * reads, and whether raw text is discarded once linking has used it. The default keeps
 * everything, which is how worklens behaved before the policy existed.
 *
 * The policy is applied when records are written, after the parsers have extracted issue keys
 * into `explicitKeys`, so dropping a field never stops linking by an issue key it named.
 */

const keep = z.boolean().default(true);

const jiraPolicy = z.strictObject({
  /** Issue summaries. */
  summary: keep,
  /** Issue descriptions. */
  description: keep,
  /** Comment bodies, both in the issue text and in comment events. */
  comments: keep,
  /** Comments of imported Jira worklogs. */
  worklogComments: keep,
});

/** "full" keeps a calendar title, "issue-keys" replaces it with the issue keys it names, "none" drops it. */
export const CALENDAR_TITLE_MODES = ["full", "issue-keys", "none"] as const;
export type CalendarTitleMode = (typeof CALENDAR_TITLE_MODES)[number];

const calendarPolicy = z.strictObject({
  title: z.enum(CALENDAR_TITLE_MODES).default("full"),
  /** Event descriptions. */
  description: keep,
});

const gitPolicy = z.strictObject({
  /** Commit messages (title and body). */
  message: keep,
  /** Branch names. */
  branch: keep,
  /** Paths of the files a commit changed. The file count is kept either way. */
  paths: keep,
  /**
   * Added and deleted line counts. Off, a local repository is read with `git log --name-only`,
   * so git compares trees only and never opens a file's content (blob).
   */
  lineCounts: keep,
});

const codeHostPolicy = z.strictObject({
  /** Pull or merge request titles. */
  title: keep,
  /** Pull or merge request descriptions and review or comment bodies. */
  body: keep,
  /** Source branch names. */
  branch: keep,
});

const idePolicy = z.strictObject({
  /** File paths of heartbeats and editor events. */
  paths: keep,
  /** App, domain or URL entities of non-file heartbeats, and window titles. */
  title: keep,
  /** Branch names. */
  branch: keep,
});

/** Collection policy as stored in the setting "privacy.collection". Every field is optional there and takes its default. */
export const collectionPolicySchema = z.strictObject({
  jira: jiraPolicy.prefault({}),
  calendar: calendarPolicy.prefault({}),
  git: gitPolicy.prefault({}),
  github: codeHostPolicy.prefault({}),
  gitlab: codeHostPolicy.prefault({}),
  /** WakaTime heartbeats. */
  ide: idePolicy.prefault({}),
  /** ActivityWatch window and editor events. */
  activitywatch: idePolicy.prefault({}),
  /**
   * Repositories whose activities are collected, as exact names or globs ("*" within a path
   * segment, "**" across segments, "?" one character), compared case-insensitively. Null
   * collects every repository.
   */
  repositories: z.array(z.string().trim().min(1)).nullable().default(null),
  /** Whether the raw text of an activity is discarded once linking has linked it. Keys, metrics and links stay. */
  metadataOnly: z.boolean().default(false),
});

export type CollectionPolicy = z.output<typeof collectionPolicySchema>;

/** The policy sections that govern activity text. GitHub and GitLab records are git activities, distinguished by their source id prefix. */
export type CollectionSource = "jira" | "calendar" | "git" | "github" | "gitlab" | "ide" | "activitywatch";

export const DEFAULT_COLLECTION_POLICY: CollectionPolicy = collectionPolicySchema.parse({});

/** Returns the policy section that governs an activity. */
export function collectionSourceOf(activity: Pick<ActivityInput, "source" | "sourceUid">): CollectionSource {
  switch (activity.source) {
    case "jira":
      return "jira";
    case "ics":
      return "calendar";
    case "wakatime":
      return "ide";
    case "activitywatch":
      return "activitywatch";
    case "git":
      if (activity.sourceUid.startsWith("github:")) return "github";
      if (activity.sourceUid.startsWith("gitlab:")) return "gitlab";
      return "git";
  }
}

/** Outcome of the policy for one activity: the activity to store, or why it is not collected. */
export type ActivityDecision = { collect: true; activity: ActivityInput } | { collect: false; reason: string };

/**
 * Applies the policy to one parsed activity. Returns the activity with only the allowed text
 * and metrics, or a reason when its repository is not allowed. `explicitKeys` is never reduced.
 */
export function applyActivityPolicy(policy: CollectionPolicy, activity: ActivityInput): ActivityDecision {
  const source = collectionSourceOf(activity);
  const isCode = source === "git" || source === "github" || source === "gitlab";
  if (isCode && policy.repositories !== null) {
    if (activity.repo === undefined) {
      return { collect: false, reason: "the repository is not known and the repository allowlist is set; import with a repository name (--repo)" };
    }
    if (!repositoryAllowed(policy.repositories, activity.repo)) {
      return { collect: false, reason: `repository "${activity.repo}" is not in the repository allowlist` };
    }
  }
  return { collect: true, activity: { ...activity, text: allowedText(policy, source, activity), metrics: allowedMetrics(policy, source, activity.metrics) } };
}

function allowedText(policy: CollectionPolicy, source: CollectionSource, activity: ActivityInput): ActivityText {
  const text = activity.text;
  switch (source) {
    case "jira":
      // Action titles are built by worklens from the event kind, issue key and status name.
      return { ...text };
    case "calendar":
      return pick({ title: calendarTitle(policy.calendar.title, text.title, activity.explicitKeys), body: policy.calendar.description ? text.body : undefined, branch: text.branch, paths: text.paths });
    case "git":
      return pick({
        title: policy.git.message ? text.title : undefined,
        body: policy.git.message ? text.body : undefined,
        branch: policy.git.branch ? text.branch : undefined,
        paths: policy.git.paths ? text.paths : undefined,
      });
    case "github":
    case "gitlab": {
      const rules = policy[source];
      return pick({
        title: rules.title ? text.title : undefined,
        body: rules.body ? text.body : undefined,
        branch: rules.branch ? text.branch : undefined,
        paths: text.paths,
      });
    }
    case "ide":
    case "activitywatch": {
      const rules = policy[source];
      return pick({
        title: rules.title ? text.title : undefined,
        body: text.body,
        branch: rules.branch ? text.branch : undefined,
        paths: rules.paths ? text.paths : undefined,
      });
    }
  }
}

function calendarTitle(mode: CalendarTitleMode, title: string | undefined, keys: readonly string[]): string | undefined {
  if (title === undefined || mode === "full") return title;
  if (mode === "none" || keys.length === 0) return undefined;
  return keys.join(" ");
}

function allowedMetrics(policy: CollectionPolicy, source: CollectionSource, metrics: ActivityMetrics | undefined): ActivityMetrics | undefined {
  if (metrics === undefined || source !== "git" || policy.git.lineCounts) return metrics;
  const kept: ActivityMetrics = { ...metrics };
  delete kept.linesAdded;
  delete kept.linesDeleted;
  return kept;
}

/** Drops undefined fields, so a stored text has only the keys it collects. */
function pick(text: ActivityText): ActivityText {
  const result: ActivityText = {};
  if (text.title !== undefined) result.title = text.title;
  if (text.body !== undefined) result.body = text.body;
  if (text.branch !== undefined) result.branch = text.branch;
  if (text.paths !== undefined) result.paths = text.paths;
  return result;
}

/** Returns the issue with only the text fields the Jira policy keeps; dropped fields become "". */
export function applyIssuePolicy(policy: CollectionPolicy, issue: IssueInput): IssueInput {
  const rules = policy.jira;
  if (rules.summary && rules.description && rules.comments) return issue;
  return {
    ...issue,
    text: {
      summary: rules.summary ? issue.text.summary : "",
      description: rules.description ? issue.text.description : "",
      comments: rules.comments ? issue.text.comments : "",
    },
  };
}

/** Returns whether a repository name matches one of the allowlist's exact names or globs. */
export function repositoryAllowed(allowlist: readonly string[], repo: string): boolean {
  const name = repo.trim().toLowerCase();
  return allowlist.some((pattern) => globPattern(pattern).test(name));
}

const compiledGlobs = new Map<string, RegExp>();

/** Compiles a repository glob: "**" crosses "/", "*" and "?" stay within one path segment. */
function globPattern(pattern: string): RegExp {
  const cached = compiledGlobs.get(pattern);
  if (cached !== undefined) return cached;
  let source = "";
  const lower = pattern.trim().toLowerCase();
  for (let i = 0; i < lower.length; i += 1) {
    const char = lower.charAt(i);
    if (char === "*" && lower.charAt(i + 1) === "*") {
      source += ".*";
      i += 1;
    } else if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  const compiled = new RegExp(`^${source}$`);
  compiledGlobs.set(pattern, compiled);
  return compiled;
}

/** Text of a Jira issue event as the policy keeps it. */
export interface EventText {
  body: string | null;
  fromValue: string | null;
  toValue: string | null;
}

/**
 * Applies the Jira policy to an event's text: comment bodies follow `comments`, and the old
 * and new values of a changed summary or description follow `summary` and `description`,
 * because a changelog entry repeats the whole field.
 */
export function applyEventPolicy(policy: CollectionPolicy, field: string | undefined, text: EventText): EventText {
  const rules = policy.jira;
  const changed = field?.trim().toLowerCase();
  let valuesKept = true;
  if (changed === "summary") valuesKept = rules.summary;
  if (changed === "description") valuesKept = rules.description;
  return {
    body: rules.comments ? text.body : null,
    fromValue: valuesKept ? text.fromValue : null,
    toValue: valuesKept ? text.toValue : null,
  };
}
