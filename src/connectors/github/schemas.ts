import { z } from "zod";

/**
 * Shapes of GitHub REST responses (API version 2022-11-28), as far as worklens reads
 * them. Unknown fields are ignored. Lists are checked item by item, so one odd item is
 * skipped without losing its page.
 */

export const listSchema = z.array(z.unknown());

const accountSchema = z.object({ login: z.string().min(1) });

const gitPersonSchema = z.object({ name: z.string(), email: z.string().nullish(), date: z.string() });

/** An item of `GET /repos/{owner}/{repo}/commits` and of a comparison's `commits`. */
export const commitSchema = z.object({
  sha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "expected a 40- or 64-digit commit hash"),
  commit: z.object({
    message: z.string(),
    /** The git author and committer. Their `date` is in UTC, without the author's own offset. */
    author: gitPersonSchema.nullable(),
    committer: gitPersonSchema.nullable(),
  }),
});
export type GithubCommit = z.infer<typeof commitSchema>;

/** An item of `GET /repos/{owner}/{repo}/pulls`. */
export const pullSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  /** Null for a deleted account. */
  user: accountSchema.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  head: z.object({ ref: z.string() }),
});
export type GithubPull = z.infer<typeof pullSchema>;

/** An item of `GET /repos/{owner}/{repo}/pulls/{number}/reviews`. */
export const reviewSchema = z.object({
  id: z.number().int().positive(),
  user: accountSchema.nullable(),
  state: z.string(),
  /** Absent for a pending review, which is not submitted yet. */
  submitted_at: z.string().nullish(),
});

/** The body of `GET /repos/{owner}/{repo}/compare/{base}...{head}`. */
export const comparisonSchema = z.object({
  total_commits: z.number().int().nonnegative(),
  commits: z.array(z.unknown()),
});
