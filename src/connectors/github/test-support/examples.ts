import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";

/**
 * Real GitHub objects from @octokit/webhooks-examples, the payload examples GitHub's
 * webhook documentation is built from. Webhook objects for users, pull requests and
 * reviews have the fields of the REST objects, so the mock builds its REST replies on them.
 */
const definitionsSchema = z.array(z.object({ name: z.string(), examples: z.array(z.unknown()) }));

let cache: Map<string, unknown[]> | undefined;

function examplesOf(event: string): unknown[] {
  if (cache === undefined) {
    const file = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
    const definitions = definitionsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    cache = new Map(definitions.map((definition) => [definition.name, definition.examples]));
  }
  const examples = cache.get(event);
  if (examples === undefined || examples.length === 0) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  return examples;
}

const objectSchema = z.looseObject({});
type JsonObject = z.infer<typeof objectSchema>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Returns a user object (the example's `sender`) with another login. */
export function exampleUser(login: string): JsonObject {
  const event = z.looseObject({ sender: objectSchema }).parse(examplesOf("push")[0]);
  return { ...clone(event.sender), login, url: `https://api.github.com/users/${login}`, html_url: `https://github.com/${login}` };
}

/** Returns the pull request object of the "opened" pull_request example. */
export function examplePull(): JsonObject & { head: JsonObject } {
  const opened = examplesOf("pull_request").find((example) => z.object({ action: z.literal("opened") }).safeParse(example).success);
  const event = z.looseObject({ pull_request: z.looseObject({ head: objectSchema }) }).parse(opened);
  return clone(event.pull_request);
}

/** Returns the review object of the first pull_request_review example. */
export function exampleReview(): JsonObject {
  return clone(z.looseObject({ review: objectSchema }).parse(examplesOf("pull_request_review")[0]).review);
}

/** Returns a push example that updated a branch and lists one commit, to build truncated pushes from. */
export function examplePush(): JsonObject & { commits: JsonObject[] } {
  const push = examplesOf("push").find((example) => z.object({ ref: z.string().startsWith("refs/heads/"), commits: z.array(z.unknown()).min(1) }).safeParse(example).success);
  return clone(z.looseObject({ commits: z.array(objectSchema) }).parse(push));
}

/** Returns the "opened" pull_request example or the first submitted pull_request_review example, as delivered. */
export function exampleEvent(event: "pull_request" | "pull_request_review"): JsonObject {
  const action = event === "pull_request" ? "opened" : "submitted";
  const found = examplesOf(event).find((example) => z.object({ action: z.literal(action) }).safeParse(example).success);
  return clone(objectSchema.parse(found));
}
