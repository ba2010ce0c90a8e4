import { z } from "zod";

/**
 * Shapes of GitLab REST API v4 responses, as far as worklens reads them. Unknown
 * fields are ignored. Lists are checked item by item.
 */

const accountSchema = z.object({ username: z.string().min(1), name: z.string().nullish() });

/** An item of `GET /projects/:id/repository/commits`. */
export const commitSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "expected a 40- or 64-digit commit hash"),
  message: z.string(),
  author_name: z.string(),
  author_email: z.string().nullish(),
  /** ISO 8601 with the author's offset. */
  authored_date: z.string(),
  committed_date: z.string(),
});
export type GitlabCommit = z.infer<typeof commitSchema>;

/** An item of `GET /projects/:id/merge_requests`. */
export const mergeRequestSchema = z.object({
  iid: z.number().int().positive(),
  project_id: z.number().int(),
  title: z.string(),
  description: z.string().nullish(),
  source_branch: z.string(),
  author: accountSchema,
  created_at: z.string(),
  updated_at: z.string(),
});
export type GitlabMergeRequest = z.infer<typeof mergeRequestSchema>;

/** An item of `GET /projects/:id/merge_requests/:iid/notes`. */
export const noteSchema = z.object({
  id: z.number().int().positive(),
  body: z.string(),
  author: accountSchema,
  created_at: z.string(),
  system: z.boolean().optional(),
  /** Marks an internal note, which older GitLab versions call confidential. */
  internal: z.boolean().optional(),
  confidential: z.boolean().nullish(),
});
