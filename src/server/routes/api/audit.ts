import { z } from "zod";
import { actorOf } from "../../auth/hook.js";
import { authErrors, instantSchema, isoInstant, type ApiApp, type ApiDeps } from "./common.js";

const MAX_PAGE = 1000;

const auditEntrySchema = z
  .object({
    seq: z.number().int().describe("position in the log, gap-free from 1 unless retention purged the oldest entries"),
    at: instantSchema,
    actor: z.string().describe('"person:<id>", "admin", "cli" or "system"'),
    action: z.string().describe('such as "read.suggestions", "login.failed" or "role.change"'),
    subject: z.string().nullable().describe('the person the entry is about, as "person:<id>", or null'),
    details: z.record(z.string(), z.unknown()).describe("ids and counts; never raw personal text"),
    hash: z.string().describe("the entry's chain hash; `worklens audit verify` checks the chain"),
  })
  .meta({ id: "AuditEntry" });

/** Register the audit log route for auditors and the admin. */
export function auditRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/audit",
    {
      config: { access: "auditor" },
      schema: {
        operationId: "listAuditLog",
        tags: ["audit"],
        summary: "List audit log entries in seq order, one page at a time",
        description: "Send the nextAfterSeq of a page as afterSeq to get the next page. Each request is itself recorded as a read.audit entry.",
        querystring: z.object({
          afterSeq: z.coerce.number().int().min(0).default(0).describe("return only entries with a larger seq; 0 starts at the oldest"),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100).describe(`entries per page, at most ${String(MAX_PAGE)}`),
          action: z
            .string()
            .regex(/^[a-z][a-z0-9_.-]*$/, 'expected an action such as "login.failed", or a prefix ending in "." such as "read."')
            .max(100)
            .optional()
            .describe('an exact action, or a prefix ending in "." such as "read."'),
        }),
        response: {
          200: z
            .object({
              data: z.array(auditEntrySchema),
              nextAfterSeq: z.number().int().nullable().describe("afterSeq of the next page, or null when this page is the last"),
            })
            .describe("one page of entries"),
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { afterSeq, limit, action } = request.query;
      if (request.principal === null) throw new Error("audit route reached without a principal");
      // Fetch one more than the page to know whether another page follows.
      const entries = await store.audit.list({ afterSeq, limit: limit + 1, action });
      const page = entries.slice(0, limit);
      await store.audit.append({ at: clock(), actor: actorOf(request.principal), action: "read.audit", details: { afterSeq, entries: page.length } });
      return {
        data: page.map((entry) => ({ seq: entry.seq, at: isoInstant(entry.at), actor: entry.actor, action: entry.action, subject: entry.subject, details: entry.details, hash: entry.hash })),
        nextAfterSeq: entries.length > limit ? (page.at(-1)?.seq ?? null) : null,
      };
    },
  );
}
