import { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import { describeIssues } from "../../ingest/jira/schemas.js";
import type { HttpClient } from "../http/client.js";
import type { JiraFlavor } from "./flavor.js";

/** One page of search results, as far as the connector reads it. The parser validates the issues later. */
export interface SearchPage {
  /** 1 for the first page. */
  number: number;
  issues: unknown[];
  /** Field id to display name (expand=names), which the parser needs to find the Epic Link field. */
  names: Record<string, string> | undefined;
}

/** Issues per search page requested. Jira may return fewer, and the paging follows what each response reports. */
const PAGE_SIZE = 100;

/** Every field, so the parser gets summary, dates, people, comments, worklogs and custom fields. */
const FIELDS = ["*all"];

/** Upper bound on pages of one sync, so a server that never ends its paging cannot loop forever. */
const MAX_PAGES = 10_000;

const pageSchema = z.looseObject({
  issues: z.array(z.unknown()),
  names: z.record(z.string(), z.string()).optional(),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
  startAt: z.number().optional(),
  total: z.number().optional(),
});
type RawPage = z.infer<typeof pageSchema>;

/**
 * Yields the search pages of `jql`. Cloud pages POST /rest/api/3/search/jql by
 * nextPageToken until it is absent or isLast is true, because that endpoint ignores startAt.
 * Data Center pages POST /rest/api/2/search by startAt until total is reached.
 */
export async function* searchPages(client: HttpClient, flavor: JiraFlavor, jql: string): AsyncGenerator<SearchPage> {
  if (flavor === "cloud") yield* cloudPages(client, jql);
  else yield* dataCenterPages(client, jql);
}

async function* cloudPages(client: HttpClient, jql: string): AsyncGenerator<SearchPage> {
  const path = "/rest/api/3/search/jql";
  const seenTokens = new Set<string>();
  let token: string | undefined;

  for (let number = 1; number <= MAX_PAGES; number += 1) {
    const body = { jql, maxResults: PAGE_SIZE, fields: FIELDS, expand: "changelog,names", ...(token === undefined ? {} : { nextPageToken: token }) };
    const page = readPage(await client.requestJson("POST", path, { body }), path, number);
    yield { number, issues: page.issues, names: page.names };

    const next = page.nextPageToken ?? undefined;
    if (next === undefined || page.isLast === true) return;
    if (seenTokens.has(next)) throw loopError(path, number);
    seenTokens.add(next);
    token = next;
  }
  throw loopError(path, MAX_PAGES);
}

async function* dataCenterPages(client: HttpClient, jql: string): AsyncGenerator<SearchPage> {
  const path = "/rest/api/2/search";
  let startAt = 0;

  for (let number = 1; number <= MAX_PAGES; number += 1) {
    const body = { jql, startAt, maxResults: PAGE_SIZE, fields: FIELDS, expand: ["changelog", "names"] };
    const page = readPage(await client.requestJson("POST", path, { body }), path, number);
    yield { number, issues: page.issues, names: page.names };

    startAt += page.issues.length;
    if (page.issues.length === 0 || page.total === undefined || startAt >= page.total) return;
  }
  throw loopError(path, MAX_PAGES);
}

function readPage(json: unknown, path: string, number: number): RawPage {
  const parsed = pageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new WorklensError("INVALID_INPUT", `POST ${path} page ${number} is not a Jira search response: ${describeIssues(parsed.error)}`, "check that --url points at Jira and that --cloud or --data-center matches the server");
}

function loopError(path: string, number: number): WorklensError {
  return new WorklensError("INVALID_INPUT", `POST ${path} did not end its paging by page ${number} (a nextPageToken repeated or the page limit was reached)`, "narrow the sync with --project or --jql and run it again");
}
