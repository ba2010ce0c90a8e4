import { WorklensError } from "../domain/errors.js";
import type { IdentityInput, Source } from "../domain/types.js";

/** Parse a person given as an e-mail, or as "Name <e-mail>" (the `--person` flag, the `person` of an ICS integration). */
export function parsePerson(source: Source, value: string): IdentityInput {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  const email = match ? (match[2] ?? "") : value.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new WorklensError("USAGE", `invalid --person "${value}": expected an e-mail address or "Name <e-mail>"`, "pass the e-mail address the person uses in Jira or git so the activities join that person");
  }
  const name = match?.[1];
  return { source, externalId: email.toLowerCase(), email, ...(name ? { displayName: name } : {}) };
}
