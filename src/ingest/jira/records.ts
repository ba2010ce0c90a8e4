import type { IssueEventInput, IssueInput, WorklogInput } from "../../domain/types.js";

/** Reference from a record to its issue: the key, or only Jira's numeric issue id (worklog responses). */
export type IssueRef = { key: string } | { sourceId: string };

/** One record parsed from a Jira REST response; `where` locates it in the file for messages. */
export type JiraRecord =
  | { kind: "issue"; where: string; issue: IssueInput }
  | { kind: "event"; where: string; event: IssueEventInput }
  | { kind: "worklog"; where: string; issue: IssueRef; worklog: Omit<WorklogInput, "issueKey"> };
