import type { z } from "zod";
import { WorklensError } from "../../domain/errors.js";
import type { SkippedRecord } from "../../ingest/parse-result.js";

/** A list item that matched its schema, or the reason it did not. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; skipped: SkippedRecord };

/**
 * Checks a list body item by item. `label` names the request, such as
 * "GET /repos/acme/api/commits page 2". A body that is not a JSON array throws, because
 * then the URL does not point at the expected API.
 */
export function parseItems<T>(body: unknown, schema: z.ZodType<T>, label: string): Parsed<T>[] {
  if (!Array.isArray(body)) {
    throw new WorklensError("INVALID_INPUT", `${label} returned a body that is not a JSON array`, "check that the URL points at the service's REST API and not at a proxy or a login page");
  }
  return body.map((item: unknown, index): Parsed<T> => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, skipped: { record: `${label} item ${index}`, reason: `${describeProblems(parsed.error)}; the item is skipped` } };
  });
}

/** Describes a failed check by the paths and messages of its first problems, never by the values. */
export function describeProblems(error: z.ZodError): string {
  const described = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("").replace(/^\./, "");
    return `${path === "" ? "item" : path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : "";
  return `${described.join("; ")}${more}`;
}
