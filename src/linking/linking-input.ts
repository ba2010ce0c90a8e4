import type { Store } from "../store/store.js";
import type { LinkingInput } from "./linker.js";
import { scrubContextOf, scrubLinkingInput } from "./scrub-input.js";

/**
 * Everything the linker reads, loaded from the store, with every text scrubbed of
 * personal data, secrets and the names of the store's people before any feature is
 * computed from it.
 */
export async function loadLinkingInput(store: Store): Promise<LinkingInput> {
  const issues = await store.issues.list();
  const activities = await store.activities.list();
  const raw: LinkingInput = {
    issues,
    issueTexts: await store.issues.texts(),
    events: await store.issues.events(),
    activities,
    activityTexts: await store.activities.texts(activities.map((a) => a.id)),
  };
  return scrubLinkingInput(raw, await scrubContextOf(store));
}
