import type { ActivityInput, IdentityInput, IssueEventInput } from "../../domain/types.js";

/**
 * Builds the issue_action activity of an issue event with a known actor: an instant of
 * work on the issue by that person. Allocation later gives such instants a short block of time.
 */
export function issueAction(event: IssueEventInput & { actor: IdentityInput }, projectKey: string | undefined): ActivityInput {
  return {
    sourceUid: `jira:action:${event.sourceUid}`,
    source: "jira",
    kind: "issue_action",
    actor: event.actor,
    startAt: event.at,
    endAt: event.at,
    // Events always get a zone from the parser; "UTC" only covers events built elsewhere.
    tz: event.tz ?? "UTC",
    dateOnly: false,
    project: projectKey,
    explicitKeys: [event.issueKey],
    text: { title: actionTitle(event) },
  };
}

function actionTitle(event: IssueEventInput): string {
  switch (event.kind) {
    case "create":
      return `created ${event.issueKey}`;
    case "comment":
      return `commented on ${event.issueKey}`;
    case "status_change":
      return `moved ${event.issueKey} to ${event.toValue ?? "another status"}`;
    default:
      return `changed ${event.field ?? "a field"} of ${event.issueKey}`;
  }
}
