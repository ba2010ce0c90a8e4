import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiTestApp, type ApiTestApp } from "./test-support/api-app.js";

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  tags: { name: string; description: string }[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

/** Every route of the API, as method and OpenAPI path. */
const API_ROUTES = [
  ["get", "/suggestions"],
  ["post", "/suggestions/{id}/accept"],
  ["post", "/suggestions/{id}/edit"],
  ["post", "/suggestions/{id}/reject"],
  ["delete", "/suggestions/{id}/decision"],
  ["post", "/suggestions/bulk-accept"],
  ["post", "/suggestions/{id}/move"],
  ["get", "/weeks"],
  ["get", "/weeks/submitted"],
  ["get", "/weeks/{day}"],
  ["post", "/weeks/{day}/submit"],
  ["post", "/weeks/{day}/withdraw"],
  ["post", "/weeks/{day}/approve"],
  ["post", "/weeks/{day}/reject"],
  ["post", "/weeks/{day}/reopen"],
  ["post", "/suggestions/recompute"],
  ["get", "/worklogs"],
  ["post", "/worklogs/{id}/retry-write-back"],
  ["get", "/reports/worklogs"],
  ["get", "/people"],
  ["get", "/people/me"],
  ["put", "/people/{id}/zone"],
  ["post", "/people/{id}/merge"],
  ["post", "/identities/{id}/split"],
  ["get", "/issues"],
  ["get", "/integrations"],
  ["post", "/integrations/{name}/sync"],
  ["get", "/privacy/people/{id}/export"],
  ["get", "/privacy/me/export"],
  ["delete", "/privacy/people/{id}"],
  ["post", "/privacy/purge"],
  ["get", "/audit"],
  ["get", "/teams/{id}/capacity"],
  ["get", "/teams/{id}/capacity.csv"],
  ["get", "/categories/rules"],
  ["put", "/categories/rules"],
  ["get", "/teams"],
  ["post", "/teams"],
  ["get", "/teams/{id}"],
  ["patch", "/teams/{id}"],
  ["delete", "/teams/{id}"],
  ["put", "/teams/{id}/members/{personId}"],
  ["delete", "/teams/{id}/members/{personId}"],
  ["get", "/models"],
  ["get", "/models/drift"],
  ["post", "/models/{kind}/retrain"],
  ["post", "/models/{id}/rollback"],
  ["get", "/settings/privacy"],
  ["put", "/settings/privacy"],
  ["post", "/session"],
  ["get", "/session"],
  ["delete", "/session"],
  ["get", "/openapi.json"],
].map(([method, path]) => [method ?? "", `/api/worklens/v1${path ?? ""}`] as const);

describe("OpenAPI document", () => {
  let t: ApiTestApp;
  let document: Document;
  let text: string;

  beforeAll(async () => {
    t = await openApiTestApp("sqlite");
    // Public: no key needed.
    const response = await t.app.inject({ url: "/api/worklens/v1/openapi.json" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("application/json");
    text = response.body;
    document = JSON.parse(text) as Document;
  });
  afterAll(async () => {
    await t.close();
  });

  function operations(): [string, string, Operation][] {
    return Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => [method, path, operation] as [string, string, Operation]));
  }

  it("is OpenAPI 3", () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info).toMatchObject({ title: "worklens API", version: "1.0.0" });
  });

  it("lists every API route and nothing else", () => {
    const listed = operations().map(([method, path]) => [method, path]);
    expect(listed.sort()).toEqual(API_ROUTES.map(([method, path]) => [method, path]).sort());
  });

  it("gives each operation an id and responses", () => {
    const ids = operations().map(([, , operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [method, path, operation] of operations()) {
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-zA-Z]+$/);
      const statuses = Object.keys(operation.responses);
      expect(statuses.some((status) => status.startsWith("2")), `${method} ${path}`).toBe(true);
      for (const response of Object.values(operation.responses)) expect(response.description, `${method} ${path}`).not.toBe("");
    }
  });

  it("declares path parameters of every templated path", () => {
    for (const [method, path, operation] of operations()) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name), `${method} ${path}`).toEqual(templated);
      for (const parameter of declared) expect(parameter.required, `${method} ${path} ${parameter.name}`).toBe(true);
    }
  });

  it("describes query parameters and bodies", () => {
    const list = document.paths["/api/worklens/v1/suggestions"]?.["get"];
    expect(list?.parameters?.map((p) => [p.name, p.required])).toEqual([
      ["from", true],
      ["to", true],
      ["person", false],
      ["status", false],
    ]);
    const edit = document.paths["/api/worklens/v1/suggestions/{id}/edit"]?.["post"];
    expect(edit?.requestBody?.content["application/json"]?.schema).toMatchObject({
      type: "object",
      properties: { seconds: { type: "integer", minimum: 60, maximum: 86400 }, startedAt: { type: "string", format: "date-time" } },
      additionalProperties: false,
    });
  });

  it("resolves every schema reference", () => {
    const references = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      expect(reference).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas, reference).toHaveProperty([reference.replace("#/components/schemas/", "")]);
    }
    // Components no operation refers to are dropped.
    expect(Object.keys(document.components.schemas).sort()).toEqual(["AuditEntry", "Integration", "Issue", "Person", "Suggestion", "Team", "TeamCapacity", "TeamMember", "WeekReview", "Worklog", "WorklogReport"]);
  });

  it("declares every tag it uses", () => {
    const declared = new Set(document.tags.map((tag) => tag.name));
    for (const [method, path, operation] of operations()) {
      for (const tag of operation.tags ?? []) expect(declared.has(tag), `${method} ${path} uses undeclared tag ${tag}`).toBe(true);
    }
  });

  it("names the security of each route", () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["adminToken", "personKey", "personKeyBasic"]);
    expect(document.paths["/api/worklens/v1/integrations"]?.["get"]?.security).toEqual([{ adminToken: [] }]);
    for (const [path, method] of [["/people/{id}/merge", "post"], ["/identities/{id}/split", "post"], ["/suggestions/recompute", "post"]] as const) {
      expect(document.paths[`/api/worklens/v1${path}`]?.[method]?.security, path).toEqual([{ adminToken: [] }]);
    }
    // A person's key may set its own zone, so that route keeps the document's default security.
    expect(document.paths["/api/worklens/v1/people/{id}/zone"]?.["put"]?.security).toBeUndefined();
    expect(document.paths["/api/worklens/v1/openapi.json"]?.["get"]?.security).toEqual([]);
  });

  it("offers the report as CSV too", () => {
    const content = document.paths["/api/worklens/v1/reports/worklogs"]?.["get"]?.responses["200"]?.content;
    expect(Object.keys(content ?? {})).toEqual(["application/json", "text/csv"]);
  });
});
