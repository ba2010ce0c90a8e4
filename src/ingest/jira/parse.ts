import type { z } from "zod";
import { invalidInput, WorklensError } from "../../domain/errors.js";
import { emptyResult, type ParseResult } from "../parse-result.js";
import { collectHistories } from "./changelog.js";
import { collectComments } from "./comments.js";
import { collectIssue, type IssueContext } from "./issue.js";
import { decodeJson } from "./json.js";
import type { JiraRecord } from "./records.js";
import {
  changelogPageSchema,
  commentPageSchema,
  describeIssues,
  ISSUE_KEY,
  isRecord,
  issueMetaSchema,
  searchPageSchema,
  worklogPageSchema,
} from "./schemas.js";
import { collectWorklogs } from "./worklogs.js";

export interface JiraParseOptions {
  /** File name, for messages. */
  file: string;
  /** The issue a changelog, worklog or comment page belongs to; those responses do not name it. */
  issueKey?: string | undefined;
}

const SHAPES_HINT =
  "import a Jira REST response: a search page (/rest/api/2/search or /rest/api/3/search/jql), an issue (/rest/api/3/issue/KEY), " +
  "or with --issue KEY a changelog, worklog or comment page of that issue";

/** Custom field type of the classic Epic Link field (Jira Software). */
const EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link";

interface ParseState {
  file: string;
  issueKey: string | undefined;
  out: ParseResult<JiraRecord>;
}

/**
 * Parses a Jira REST JSON response into issue, event and worklog records. The shape is
 * detected from the JSON: a v2 or v3 search page, a single issue, a changelog page, a
 * worklog page or a comment page, or an array of any of them. Throws invalidInput for
 * a file that cannot be read as one of these; a bad record inside is skipped with a
 * reason.
 */
export function parseJira(bytes: Buffer | string, options: JiraParseOptions): ParseResult<JiraRecord> {
  const issueKey = options.issueKey === undefined ? undefined : checkIssueKey(options.issueKey);
  const document = decodeJson(bytes, options.file);
  const state: ParseState = { file: options.file, issueKey, out: emptyResult() };

  if (Array.isArray(document)) {
    document.forEach((element, index) => {
      collectDocument(element, `[${index}]`, state);
    });
  } else {
    collectDocument(document, "", state);
  }
  return state.out;
}

function collectDocument(document: unknown, path: string, state: ParseState): void {
  const where = (name: string): string => (path === "" ? name : `${path}.${name}`);
  if (!isRecord(document)) {
    if (path === "") throw invalidInput(state.file, "the JSON is not an object or an array of objects", SHAPES_HINT);
    state.out.skipped.push({ record: path, reason: `not a JSON object; this element is skipped: ${SHAPES_HINT}` });
    return;
  }

  if (Array.isArray(document["issues"])) collectSearchPage(document, path, state);
  else if (Array.isArray(document["values"])) collectChangelogPage(document, state);
  else if (Array.isArray(document["worklogs"])) collectWorklogPage(document, state);
  else if (Array.isArray(document["comments"])) collectCommentPage(document, state);
  else if ("key" in document || "fields" in document) collectIssue(document, where("issue"), issueContext(document), state.out);
  else if (path === "") throw invalidInput(state.file, "the JSON is not a Jira response this importer reads", SHAPES_HINT);
  else state.out.skipped.push({ record: path, reason: `not a Jira response this importer reads; this element is skipped: ${SHAPES_HINT}` });
}

function collectSearchPage(document: Record<string, unknown>, path: string, state: ParseState): void {
  const page = requirePage(searchPageSchema, document, state.file, "search page");
  const context = issueContext(document);
  const prefix = path === "" ? "issues" : `${path}.issues`;
  page.issues.forEach((issue, index) => {
    collectIssue(issue, `${prefix}[${index}]`, context, state.out);
  });

  const hasMore = page.isLast === false || (page.nextPageToken !== undefined && page.nextPageToken !== null && page.isLast !== true);
  if (hasMore) {
    state.out.warnings.push(
      `${state.file}: this search page is not the last one (isLast is false or nextPageToken is set): ` +
        "request the next pages by passing each response's nextPageToken until isLast is true, then import every page file",
    );
  }
  const startAt = page.startAt ?? 0;
  if (page.total !== undefined && startAt + page.issues.length < page.total) {
    state.out.warnings.push(
      `${state.file}: this search page holds issues ${startAt + 1} to ${startAt + page.issues.length} of ${page.total}: ` +
        `export the remaining pages (startAt=${startAt + page.issues.length} and on) and import them too`,
    );
  }
}

function collectChangelogPage(document: Record<string, unknown>, state: ParseState): void {
  const page = requirePage(changelogPageSchema, document, state.file, "changelog page");
  const issueKey = state.issueKey;
  if (issueKey === undefined) {
    throw invalidInput(
      state.file,
      "the file is a changelog page (PageBeanChangelog), which does not name its issue",
      "import it with --issue KEY, where KEY is the issue of /rest/api/3/issue/KEY/changelog",
    );
  }
  collectHistories(page.values, issueKey, state.out);

  const startAt = page.startAt ?? 0;
  const end = startAt + page.values.length;
  const more = page.isLast === false || (page.isLast === undefined && page.total !== undefined && end < page.total);
  if (more) {
    state.out.warnings.push(
      `${issueKey}: this changelog page ends at history ${end}${page.total === undefined ? "" : ` of ${page.total}`}: ` +
        `export the next page (GET /rest/api/3/issue/${issueKey}/changelog?startAt=${end}) and import it with --issue ${issueKey}`,
    );
  }
}

function collectWorklogPage(document: Record<string, unknown>, state: ParseState): void {
  const page = requirePage(worklogPageSchema, document, state.file, "worklog page");
  const issue = state.issueKey === undefined ? undefined : { key: state.issueKey };
  collectWorklogs(page.worklogs, issue, state.out);
  warnIfPartial(page, page.worklogs.length, "worklog", state);
}

function collectCommentPage(document: Record<string, unknown>, state: ParseState): void {
  const page = requirePage(commentPageSchema, document, state.file, "comment page");
  if (state.issueKey === undefined) {
    throw invalidInput(
      state.file,
      "the file is a comment page, which does not name its issue",
      "import it with --issue KEY, where KEY is the issue of /rest/api/3/issue/KEY/comment",
    );
  }
  // NOTE: comments read from a page become events only; the stored issue's comment text changes when the issue is imported again.
  collectComments(page.comments, state.issueKey, state.out);
  warnIfPartial(page, page.comments.length, "comment", state);
}

function warnIfPartial(page: { startAt?: number | undefined; total?: number | undefined }, count: number, kind: string, state: ParseState): void {
  const startAt = page.startAt ?? 0;
  if (page.total === undefined || startAt + count >= page.total) return;
  const issue = state.issueKey ?? "KEY";
  state.out.warnings.push(
    `${state.file}: this ${kind} page holds ${count} of ${page.total} ${kind}s: ` +
      `export the next page (GET /rest/api/3/issue/${issue}/${kind}?startAt=${startAt + count}) and import it too`,
  );
}

function requirePage<T>(schema: z.ZodType<T>, document: unknown, file: string, shape: string): T {
  const parsed = schema.safeParse(document);
  if (parsed.success) return parsed.data;
  throw invalidInput(file, `the file looks like a Jira ${shape}, but ${describeIssues(parsed.error)}`, SHAPES_HINT);
}

/** Ids of the Epic Link custom field, read from the expand=names and expand=schema maps when the response has them. */
function issueContext(document: Record<string, unknown>): IssueContext {
  const meta = issueMetaSchema.safeParse(document);
  const epicLinkFields = new Set<string>();
  if (meta.success) {
    for (const [id, name] of Object.entries(meta.data.names ?? {})) if (name === "Epic Link") epicLinkFields.add(id);
    for (const [id, schema] of Object.entries(meta.data.schema ?? {})) if (schema.custom === EPIC_LINK_TYPE) epicLinkFields.add(id);
  }
  return { epicLinkFields };
}

function checkIssueKey(text: string): string {
  const key = text.trim().toUpperCase();
  if (!ISSUE_KEY.test(key)) {
    throw new WorklensError("USAGE", `invalid issue key "${text}" for --issue`, "pass the key of the issue the file belongs to, such as PROJ-42");
  }
  return key;
}
