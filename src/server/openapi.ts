import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { API_PREFIX } from "./routes/api/common.js";

/** The parts of an OpenAPI document that finishDocument changes. */
interface DocumentParts {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> } | undefined> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

/** Operations whose 200 response is CSV as well as JSON, by path and method. */
const CSV_OPERATIONS: readonly (readonly [string, string])[] = [[`${API_PREFIX}/reports/worklogs`, "get"]];

/**
 * Register @fastify/swagger on the API plugin's instance, so `app.swagger()` returns
 * an OpenAPI 3.1 document of the routes registered after it in that scope only: the
 * WakaTime, webhook and admin routes, registered outside it, are not in the document.
 * Route schemas are zod schemas, turned into JSON Schema by fastify-type-provider-zod.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "worklens API",
        version: "1.0.0",
        description:
          "Suggested worklogs, decisions on them, worklogs and their write-back to Jira, reports, people, issues and integrations. " +
          "A person's API key sees only that person's data; the admin token sees everyone's. docs/api.md in the repository has examples.",
      },
      components: {
        securitySchemes: {
          personKey: { type: "http", scheme: "bearer", description: "a person's API key from `worklens keys create`, as Authorization: Bearer KEY" },
          personKeyBasic: { type: "http", scheme: "basic", description: "a person's API key as Basic credentials: base64(KEY), as wakatime-cli sends it, or base64(user:KEY)" },
          adminToken: { type: "http", scheme: "bearer", description: "the admin token set with WORKLENS_ADMIN_TOKEN, as Authorization: Bearer TOKEN" },
        },
      },
      security: [{ personKey: [] }, { personKeyBasic: [] }, { adminToken: [] }],
      tags: [
        { name: "suggestions", description: "suggested worklogs and decisions on them" },
        { name: "worklogs", description: "worklogs read from Jira or accepted in worklens" },
        { name: "reports", description: "the suggested-worklog report" },
        { name: "people", description: "people as identity matching grouped them" },
        { name: "issues", description: "stored Jira issues" },
        { name: "integrations", description: "configured pull integrations; admin token only" },
        { name: "teams", description: "teams, their members' commitments, and team capacity for managers" },
        { name: "privacy", description: "export and deletion of a person's data, and retention purges" },
        { name: "audit", description: "the hash-chained audit log, for auditors" },
        { name: "models", description: "learned models: status, drift checks, retraining and rollback" },
        { name: "session", description: "sign-in, the current session and sign-out of the web UI" },
        { name: "weeks", description: "weekly review of timesheets: submit, withdraw, approve, reject and reopen a person's week" },
        { name: "meta", description: "this document" },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input)),
  });
}

/**
 * Add the CSV form of the report's response, which a zod response schema cannot
 * state, and drop component schemas no operation refers to. The zod registry contains
 * an input and an output variant of every named schema, and most are used one way only.
 */
function finishDocument<T extends object>(document: T): T {
  const parts = document as DocumentParts;
  for (const [path, method] of CSV_OPERATIONS) {
    const ok = parts.paths?.[path]?.[method]?.responses?.["200"];
    if (ok?.content !== undefined) ok.content["text/csv"] = { schema: { type: "string", description: "one header line, then one line per row" } };
  }

  const schemas = parts.components?.schemas;
  if (schemas !== undefined) {
    const used = new Set<string>();
    const pending = [JSON.stringify(parts.paths ?? {})];
    for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
      for (const match of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
        const name = match[1];
        if (name === undefined || used.has(name)) continue;
        used.add(name);
        pending.push(JSON.stringify(schemas[name] ?? {}));
      }
    }
    for (const [name, schema] of Object.entries(schemas)) {
      if (!used.has(name)) {
        Reflect.deleteProperty(schemas, name);
      } else if (typeof schema === "object" && schema !== null) {
        // zod names each schema with a fragment-only $id, which JSON Schema 2020-12 does not allow; the component's key names it already.
        Reflect.deleteProperty(schema, "$id");
        Reflect.deleteProperty(schema, "$schema");
      }
    }
  }
  return document;
}
