import { z } from "zod";

/**
 * Shapes of Jira REST responses, as far as the importer reads them. Unknown fields
 * are accepted and ignored. Nested lists (issues, comments, histories, worklogs) are
 * validated item by item, so one bad item is skipped without losing its neighbors.
 */

/** Jira sends ids as strings; some exports turn them into numbers. */
const jiraId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** Jira's default project key pattern: an upper-case letter, then upper-case letters, digits or underscores. */
export const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/;

const issueKey = z.string().regex(ISSUE_KEY, "expected an issue key such as PROJ-42");

export const userSchema = z.object({
  accountId: z.string().optional(),
  key: z.string().optional(),
  name: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  timeZone: z.string().optional(),
});
export type JiraUser = z.infer<typeof userSchema>;

/** Plain text (REST API v2) or an ADF document (v3); the ADF walker checks the tree itself. */
const richTextSchema = z.union([z.string(), z.looseObject({ type: z.string() })]).nullish();

const issueTypeSchema = z.object({
  name: z.string().optional(),
  subtask: z.boolean().optional(),
  /** 1 for epics in Jira Cloud's issue hierarchy, 0 for standard types, -1 for subtasks. */
  hierarchyLevel: z.number().optional(),
});

/** Paging fields shared by Jira's offset-paged lists. */
const paging = {
  startAt: z.number().optional(),
  maxResults: z.number().optional(),
  total: z.number().optional(),
};

/** Issue fields; loose, because custom fields (customfield_NNNNN) are looked up by id. */
export const fieldsSchema = z.looseObject({
  summary: z.string().nullish(),
  description: richTextSchema,
  project: z.object({ key: z.string().optional() }).nullish(),
  issuetype: issueTypeSchema.nullish(),
  parent: z.object({ key: issueKey.optional(), fields: z.object({ issuetype: issueTypeSchema.nullish() }).optional() }).nullish(),
  priority: z.object({ name: z.string().optional() }).nullish(),
  status: z.object({ name: z.string().optional(), statusCategory: z.object({ key: z.string().optional() }).nullish() }).nullish(),
  created: z.string().nullish(),
  updated: z.string().nullish(),
  resolutiondate: z.string().nullish(),
  /** Label names; items are checked one by one, so one odd entry does not cost the issue. */
  labels: z.array(z.unknown()).nullish(),
  assignee: userSchema.nullish(),
  reporter: userSchema.nullish(),
  comment: z.object({ ...paging, comments: z.array(z.unknown()) }).nullish(),
  worklog: z.object({ ...paging, worklogs: z.array(z.unknown()) }).nullish(),
});
export type JiraFields = z.infer<typeof fieldsSchema>;

export const changelogSchema = z.object({ ...paging, histories: z.array(z.unknown()) });

export const issueSchema = z.object({
  id: jiraId.optional(),
  key: issueKey,
  fields: fieldsSchema.nullish(),
  changelog: changelogSchema.nullish(),
});
export type JiraIssue = z.infer<typeof issueSchema>;

export const commentSchema = z.object({
  id: jiraId.optional(),
  author: userSchema.nullish(),
  body: richTextSchema,
  created: z.string().nullish(),
});
export type JiraComment = z.infer<typeof commentSchema>;

const changeValue = z.union([z.string(), z.number()]).transform(String).nullish();

/**
 * One changed field. Jira names the new display value `toString`, which every object
 * inherits from Object.prototype, so it is copied to `toText` before validation.
 */
const historyItemSchema = z.preprocess(
  (value) => (isRecord(value) ? { ...value, toText: Object.getOwnPropertyDescriptor(value, "toString")?.value as unknown } : value),
  z.object({
    field: z.string(),
    fieldId: z.string().optional(),
    from: changeValue,
    fromString: changeValue,
    to: changeValue,
    toText: changeValue,
  }),
);

export const historySchema = z.object({
  id: jiraId,
  author: userSchema.nullish(),
  created: z.string(),
  items: z.array(historyItemSchema),
});
export type JiraHistory = z.infer<typeof historySchema>;

export const worklogSchema = z.object({
  id: jiraId,
  issueId: jiraId.optional(),
  author: userSchema.nullish(),
  started: z.string(),
  timeSpentSeconds: z.number(),
  comment: richTextSchema,
});
export type JiraWorklog = z.infer<typeof worklogSchema>;

/** Search response: v2 `/search` pages by startAt and total, v3 `/search/jql` by nextPageToken and isLast. */
export const searchPageSchema = z.object({
  ...paging,
  issues: z.array(z.unknown()),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
  /** Field id to display name, present with expand=names. */
  names: z.record(z.string(), z.string()).optional(),
  /** Field id to schema, present with expand=schema. */
  schema: z.record(z.string(), z.looseObject({ custom: z.string().optional() })).optional(),
});

/** `/rest/api/3/issue/KEY/changelog` (PageBeanChangelog). */
export const changelogPageSchema = z.object({ ...paging, values: z.array(z.unknown()), isLast: z.boolean().optional() });

/** `/rest/api/3/issue/KEY/worklog`. */
export const worklogPageSchema = z.object({ ...paging, worklogs: z.array(z.unknown()) });

/** `/rest/api/3/issue/KEY/comment`. */
export const commentPageSchema = z.object({ ...paging, comments: z.array(z.unknown()) });

/** A single issue response may carry the same expand=names and expand=schema maps as a search page. */
export const issueMetaSchema = searchPageSchema.pick({ names: true, schema: true });

/** Describes a failed validation by its first problems and their paths, never by the input values. */
export function describeIssues(error: z.ZodError, prefix = ""): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = [prefix, ...issue.path.map((part) => (typeof part === "number" ? `[${part}]` : String(part)))]
      .filter((part) => part !== "")
      .join(".")
      .replace(/\.\[/g, "[");
    return `${path === "" ? "value" : path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : "";
  return `${shown.join("; ")}${more}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
