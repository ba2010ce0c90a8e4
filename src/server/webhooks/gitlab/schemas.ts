import { z } from "zod";

/**
 * Shapes of GitLab webhook bodies, as far as worklens reads them. Unknown fields are
 * accepted and ignored; push commits are validated one by one.
 */

export { REDACTED_EMAIL } from "../../../ingest/code-host/gitlab-people.js";

export const userSchema = z.object({
  username: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
});
export type GitlabUser = z.infer<typeof userSchema>;

const projectSchema = z.object({ id: z.number().int(), path_with_namespace: z.string().min(1) });

export const pushSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  project_id: z.number().int(),
  project: projectSchema.partial().optional(),
  total_commits_count: z.number().int().nonnegative(),
  commits: z.array(z.unknown()),
});
export type GitlabPush = z.infer<typeof pushSchema>;

export const pushCommitSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "expected a 40- or 64-digit commit hash"),
  message: z.string(),
  timestamp: z.string(),
  author: z.object({ name: z.string(), email: z.string().nullish() }),
  added: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
});

/** `action` is optional because old GitLab versions omit it; such deliveries are ignored. */
export const mergeRequestSchema = z.object({
  user: userSchema,
  project: projectSchema,
  object_attributes: z.object({
    iid: z.number().int().positive(),
    title: z.string(),
    description: z.string().nullish(),
    source_branch: z.string(),
    state: z.string(),
    action: z.string().optional(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
});

export const noteSchema = z.object({
  user: userSchema,
  project: projectSchema,
  object_attributes: z.object({
    id: z.number().int().positive(),
    note: z.string(),
    noteable_type: z.string(),
    created_at: z.string(),
    /** "create" or "update" in newer GitLab versions; older ones send only new comments and omit it. */
    action: z.string().optional(),
    system: z.boolean().optional(),
  }),
  merge_request: z.object({ iid: z.number().int().positive(), title: z.string(), source_branch: z.string() }).optional(),
  commit: z.object({ id: z.string(), message: z.string() }).optional(),
});
export type GitlabNote = z.infer<typeof noteSchema>;
