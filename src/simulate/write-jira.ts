import { formatJiraInstant } from "../domain/time.js";
import { personAt, type SimIssue, type SimPerson, type Simulation, type StatusName } from "./model.js";

/** Jira's simplified workflow with a review step: status ids and status categories as Jira Cloud names them. */
const STATUSES: Record<StatusName, { id: string; category: "new" | "indeterminate" | "done" }> = {
  "To Do": { id: "10000", category: "new" },
  "In Progress": { id: "3", category: "indeterminate" },
  "In Review": { id: "10002", category: "indeterminate" },
  Done: { id: "10001", category: "done" },
};

/**
 * Writes every issue as one Jira REST v2 search response (GET
 * /rest/api/2/search?expand=changelog&fields=*all): fields, embedded comments and a
 * changelog of status changes. Epics are parents in the Jira Cloud way (`parent`
 * with issue type Epic), and sub-tasks name their story as parent.
 */
export function jiraSearchJson(simulation: Simulation): string {
  const byKey = new Map(simulation.issues.map((i) => [i.key, i]));
  const issues = simulation.issues.map((issue) => issueJson(issue, simulation.people, byKey));
  return `${JSON.stringify({ expand: "schema,names", startAt: 0, maxResults: issues.length, total: issues.length, issues }, null, 1)}\n`;
}

function issueJson(issue: SimIssue, people: readonly SimPerson[], byKey: ReadonlyMap<string, SimIssue>): unknown {
  const reporter = personAt(people, issue.reporter);
  const assignee = issue.assignee === undefined ? undefined : personAt(people, issue.assignee);
  const status = issue.transitions.at(-1)?.to ?? "To Do";
  const done = issue.transitions.findLast((t) => t.to === "Done");
  const updated = Math.max(issue.createdAt, ...issue.transitions.map((t) => t.at), ...issue.comments.map((c) => c.at));
  const parentKey = issue.parentKey ?? issue.epicKey;
  const parent = parentKey === undefined ? undefined : byKey.get(parentKey);
  const comments = [...issue.comments].sort((a, b) => a.at - b.at);

  return {
    id: issue.id,
    key: issue.key,
    self: `https://jira.example.org/rest/api/2/issue/${issue.id}`,
    fields: {
      summary: issue.summary,
      description: issue.description,
      issuetype: { name: issue.type, subtask: issue.type === "Sub-task", hierarchyLevel: hierarchyLevel(issue) },
      project: { key: issue.projectKey, name: issue.repo },
      parent: parent === undefined ? null : { key: parent.key, fields: { summary: parent.summary, issuetype: { name: parent.type, hierarchyLevel: hierarchyLevel(parent) } } },
      priority: { name: issue.priority },
      status: { id: STATUSES[status].id, name: status, statusCategory: { key: STATUSES[status].category } },
      reporter: userJson(reporter),
      assignee: assignee === undefined ? null : userJson(assignee),
      created: formatJiraInstant(issue.createdAt, reporter.zone),
      updated: formatJiraInstant(updated, reporter.zone),
      resolutiondate: done === undefined ? null : formatJiraInstant(done.at, personAt(people, done.by).zone),
      comment: {
        startAt: 0,
        maxResults: comments.length,
        total: comments.length,
        comments: comments.map((comment, index) => {
          const author = personAt(people, comment.by);
          const at = formatJiraInstant(comment.at, author.zone);
          return { id: `${issue.id}${String(index + 1).padStart(3, "0")}`, author: userJson(author), body: comment.body, created: at, updated: at };
        }),
      },
    },
    changelog: changelogJson(issue, people),
  };
}

function changelogJson(issue: SimIssue, people: readonly SimPerson[]): unknown {
  const histories = [...issue.transitions]
    .sort((a, b) => a.at - b.at)
    .map((transition, index) => {
      const author = personAt(people, transition.by);
      return {
        id: `${issue.id}${String(index + 1).padStart(3, "0")}`,
        author: userJson(author),
        created: formatJiraInstant(transition.at, author.zone),
        items: [
          {
            field: "status",
            fieldtype: "jira",
            fieldId: "status",
            from: STATUSES[transition.from].id,
            fromString: transition.from,
            to: STATUSES[transition.to].id,
            toString: transition.to,
          },
        ],
      };
    });
  return { startAt: 0, maxResults: histories.length, total: histories.length, histories };
}

/** Jira Cloud's issue hierarchy: 1 for epics, -1 for sub-tasks, 0 for the rest. */
function hierarchyLevel(issue: SimIssue): number {
  if (issue.type === "Epic") return 1;
  return issue.type === "Sub-task" ? -1 : 0;
}

/** Formats a Jira Server user as the v2 API sends it, with e-mail and profile zone, so imports join people and store their zones. */
function userJson(person: SimPerson): unknown {
  return { name: person.login, key: person.login, displayName: person.displayName, emailAddress: person.email, timeZone: person.zone, active: true };
}
