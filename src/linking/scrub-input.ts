import type { ActivityText } from "../domain/types.js";
import { createScrubContext, namesOfPeople, scrubText, type ScrubContext } from "../privacy/scrub.js";
import type { IssueText } from "../store/issue-repository.js";
import type { Store } from "../store/store.js";
import type { LinkingInput } from "./linker.js";

/** Builds the scrubbing context of a store's people, once per linking, training or evaluation run. */
export async function scrubContextOf(store: Store): Promise<ScrubContext> {
  return createScrubContext(namesOfPeople(await store.people.list()));
}

function scrubOptional(value: string | undefined, context: ScrubContext): string | undefined {
  return value === undefined ? undefined : scrubText(value, context);
}

/**
 * Returns the input with every issue and activity text scrubbed. The linker, the
 * ranker's features, its training and evaluation read texts only from here, so
 * none of them receives an e-mail address, phone number, secret or known name.
 */
export function scrubLinkingInput(input: LinkingInput, context: ScrubContext): LinkingInput {
  const issueTexts = new Map<number, IssueText>();
  for (const [id, text] of input.issueTexts) {
    issueTexts.set(id, {
      summary: scrubText(text.summary, context),
      description: scrubText(text.description, context),
      comments: scrubText(text.comments, context),
    });
  }
  const activityTexts = new Map<number, ActivityText>();
  for (const [id, text] of input.activityTexts) {
    activityTexts.set(id, {
      title: scrubOptional(text.title, context),
      body: scrubOptional(text.body, context),
      branch: scrubOptional(text.branch, context),
      paths: scrubOptional(text.paths, context),
    });
  }
  return { ...input, issueTexts, activityTexts };
}
