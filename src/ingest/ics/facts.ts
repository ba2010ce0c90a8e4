import type { IdentityInput } from "../../domain/types.js";
import type { EventFacts } from "./classify.js";
import type { EventComponent } from "./expand.js";

/** Title and description of an event, as node-ical unescaped them. */
export interface EventText {
  title: string;
  description: string;
}

export function eventText(component: EventComponent): EventText {
  return { title: textOf(component.summary), description: textOf(component.description) };
}

/** Collect the properties classifyEvent reads. node-ical stores X- properties without their "X-" prefix. */
export function eventFacts(component: EventComponent, person: IdentityInput): EventFacts {
  return {
    title: textOf(component.summary),
    status: optionalText(component.status),
    transparency: optionalText(component.transparency),
    busyStatus: optionalText(component["MICROSOFT-CDO-BUSYSTATUS"]) ?? optionalText(component["MICROSOFT-CDO-INTENDEDSTATUS"]),
    classification: optionalText(component.class),
    personStatus: personStatus(component.attendee, person),
  };
}

/**
 * PARTSTAT of the attendee whose address is the person's e-mail or external id
 * (compared without "mailto:" and without case).
 */
function personStatus(attendees: unknown, person: IdentityInput): string | undefined {
  const addresses = new Set([person.email, person.externalId].flatMap((value) => (value === undefined ? [] : [value.trim().toLowerCase()])));
  let list: unknown[] = [];
  if (Array.isArray(attendees)) list = attendees;
  else if (attendees !== undefined) list = [attendees];
  for (const attendee of list) {
    const address = textOf(attendee).replace(/^mailto:/i, "").trim().toLowerCase();
    if (!addresses.has(address)) continue;
    const params = isRecord(attendee) && isRecord(attendee["params"]) ? attendee["params"] : undefined;
    const status = params?.["PARTSTAT"];
    return typeof status === "string" ? status : undefined;
  }
  return undefined;
}

/**
 * node-ical gives a text property as a string, as `{ params, val }` when the line
 * had parameters, or as an array when the property was repeated (the first wins).
 */
function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (isRecord(value)) return textOf(value["val"]);
  return "";
}

function optionalText(value: unknown): string | undefined {
  const text = textOf(value).trim();
  return text === "" ? undefined : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
