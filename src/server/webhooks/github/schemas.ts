import { z } from "zod";

/**
 * Shapes of GitHub webhook bodies, as far as worklens reads them. Unknown fields are
 * accepted and ignored; commits are validated one by one, so one bad commit is skipped
 * without losing the rest of the push.
 */

export const actionSchema = z.object({ action: z.string() });

const userSchema = z.object({ login: z.string().min(1) });
export type GithubUser = z.infer<typeof userSchema>;

const repositorySchema = z.object({ full_name: z.string().min(1) });

export const pushSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  commits: z.array(z.unknown()),
  repository: repositorySchema,
  /** Present in the Events API's PushEvent and GitHub Enterprise Server payloads, absent from github.com webhooks. */
  size: z.number().int().nonnegative().optional(),
  distinct_size: z.number().int().nonnegative().optional(),
});
export type GithubPush = z.infer<typeof pushSchema>;

export const pushCommitSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "expected a 40- or 64-digit commit hash"),
  message: z.string(),
  timestamp: z.string(),
  author: z.object({ name: z.string(), email: z.string().nullish() }),
  distinct: z.boolean().optional(),
  added: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
});
export type GithubPushCommit = z.infer<typeof pushCommitSchema>;

const pullRequestSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullish(),
  head: z.object({ ref: z.string() }),
});
export type GithubPullRequest = z.infer<typeof pullRequestSchema>;

export const pullRequestEventSchema = z.object({
  action: z.string(),
  pull_request: pullRequestSchema,
  repository: repositorySchema,
  sender: userSchema,
});

export const reviewEventSchema = z.object({
  action: z.string(),
  review: z.object({
    id: z.number().int().positive(),
    /** Null for a deleted account ("ghost"). */
    user: userSchema.nullish(),
    submitted_at: z.string().nullish(),
    state: z.string(),
  }),
  pull_request: pullRequestSchema.pick({ number: true, title: true, head: true }),
  repository: repositorySchema,
  sender: userSchema,
});
