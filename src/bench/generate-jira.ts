import { formatJiraInstant } from "../domain/time.js";
import type { PlannedIssue, SyntheticPerson, SyntheticWorld } from "./synthetic-world.js";

/** Jira's default workflow statuses with their ids and status categories. */
const STATUS = {
  open: { id: "1", name: "Open", category: "new" },
  inProgress: { id: "3", name: "In Progress", category: "indeterminate" },
  done: { id: "10001", name: "Done", category: "done" },
} as const;

type Status = (typeof STATUS)[keyof typeof STATUS];

/**
 * Writes the world's issues as one Jira REST v2 search response (GET
 * /rest/api/2/search?expand=changelog&fields=*all), the shape of the bundled Nutch
 * file plus comment authors and dates, issue types, resolution dates and a changelog
 * of status and assignee changes.
 */
export function generateJiraSearch(world: SyntheticWorld): string {
  const issues = world.issues.map((issue) => issueJson(issue, world.people));
  return JSON.stringify({ expand: "schema,names", startAt: 0, maxResults: issues.length, total: issues.length, issues });
}

function issueJson(issue: PlannedIssue, people: readonly SyntheticPerson[]): unknown {
  const reporter = personAt(people, issue.reporter);
  const assignee = issue.assignee === undefined ? undefined : personAt(people, issue.assignee);
  const status = currentStatus(issue);
  return {
    id: issue.id,
    key: issue.key,
    self: `https://jira.example.org/rest/api/2/issue/${issue.id}`,
    fields: {
      summary: issue.summary,
      description: issue.description,
      issuetype: { name: issue.type, subtask: false },
      project: { key: issue.project.key, name: issue.project.repo },
      priority: { name: issue.priority },
      status: { id: status.id, name: status.name, statusCategory: { key: status.category } },
      reporter: userJson(reporter),
      assignee: assignee === undefined ? null : userJson(assignee),
      created: jiraDate(issue.createdAt, reporter),
      updated: jiraDate(issue.updatedAt, reporter),
      resolutiondate: issue.resolvedAt === undefined ? null : jiraDate(issue.resolvedAt, assignee ?? reporter),
      comment: {
        startAt: 0,
        maxResults: issue.comments.length,
        total: issue.comments.length,
        comments: issue.comments.map((comment, index) => {
          const author = personAt(people, comment.author);
          return {
            id: String(Number(issue.id) * 10 + index),
            author: userJson(author),
            body: comment.body,
            created: jiraDate(comment.at, author),
            updated: jiraDate(comment.at, author),
          };
        }),
      },
    },
    changelog: changelogJson(issue, people),
  };
}

function changelogJson(issue: PlannedIssue, people: readonly SyntheticPerson[]): unknown {
  const histories: unknown[] = [];
  const historyId = (n: number) => String(Number(issue.id) * 10 + n);

  if (issue.assignee !== undefined && issue.startedAt !== undefined) {
    const assignee = personAt(people, issue.assignee);
    histories.push({
      id: historyId(0),
      author: userJson(assignee),
      created: jiraDate(issue.startedAt, assignee),
      items: [
        { field: "assignee", fieldtype: "jira", from: null, fromString: null, to: assignee.login, toString: assignee.displayName },
        statusItem(STATUS.open, STATUS.inProgress),
      ],
    });
    if (issue.resolvedAt !== undefined) {
      histories.push({
        id: historyId(1),
        author: userJson(assignee),
        created: jiraDate(issue.resolvedAt, assignee),
        items: [statusItem(STATUS.inProgress, STATUS.done)],
      });
    }
  }
  return { startAt: 0, maxResults: histories.length, total: histories.length, histories };
}

function statusItem(from: Status, to: Status): unknown {
  return { field: "status", fieldtype: "jira", fieldId: "status", from: from.id, fromString: from.name, to: to.id, toString: to.name };
}

function currentStatus(issue: PlannedIssue): Status {
  if (issue.resolvedAt !== undefined) return STATUS.done;
  return issue.startedAt === undefined ? STATUS.open : STATUS.inProgress;
}

/** Formats a Jira Server user as the v2 API sends it: user name, key, display name, e-mail and profile zone. */
function userJson(person: SyntheticPerson): unknown {
  return {
    name: person.login,
    key: person.login,
    displayName: person.displayName,
    emailAddress: person.email,
    timeZone: person.zone,
    active: true,
  };
}

/** Jira writes instants in the server's zone; here each person's own, which is also valid. */
function jiraDate(instant: number, person: SyntheticPerson): string {
  return formatJiraInstant(instant, person.zone);
}

function personAt(people: readonly SyntheticPerson[], index: number): SyntheticPerson {
  const person = people[index];
  if (person === undefined) throw new RangeError(`no synthetic person ${index}`);
  return person;
}
