import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { TEST_EMAIL } from "../../test-support/app.js";
import { NOW, openApiTestApp, OTHER_EMAIL, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface ExportDocument {
  kind: string;
  person: { id: number; email: string | null };
  activities: { id: number }[];
  apiKeys: Record<string, unknown>[];
}

describe.each(BACKENDS)("privacy routes on %s", (backend) => {
  let t: ApiTestApp;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    await seedSuggestions(t.base.handle.store);
  });
  afterEach(async () => {
    await t.close();
  });

  it("admin exports any person", async () => {
    const response = await t.as("admin", { method: "GET", url: `/privacy/people/${String(t.otherId)}/export` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    const document = response.json<ExportDocument>();
    expect(document.kind).toBe("worklens.person-export");
    expect(document.person).toMatchObject({ id: t.otherId, email: OTHER_EMAIL });
    expect(document.activities.length).toBeGreaterThan(0);
    expect(document.apiKeys).toHaveLength(1);
    expect(document.apiKeys[0]).not.toHaveProperty("digest");
    const entries = await t.base.handle.store.db.selectFrom("audit_log").selectAll().where("action", "=", "privacy.export").execute();
    expect(entries.map((e) => [e.actor, e.subject])).toEqual([["admin", `person:${String(t.otherId)}`]]);
  });

  it("person exports only themselves", async () => {
    const own = await t.as("dev", { method: "GET", url: "/privacy/me/export" });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json<ExportDocument>().person).toMatchObject({ id: t.devId, email: TEST_EMAIL });
    expect(own.body).not.toContain(OTHER_EMAIL);

    for (const [method, url] of [
      ["GET", `/privacy/people/${String(t.otherId)}/export`],
      ["DELETE", `/privacy/people/${String(t.otherId)}`],
      ["POST", "/privacy/purge"],
    ] as const) {
      const response = await t.as("dev", { method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await t.as("admin", { method: "GET", url: "/privacy/me/export" })).statusCode).toBe(403);
  });

  it("admin deletes a person with a receipt", async () => {
    const response = await t.as("admin", { method: "DELETE", url: `/privacy/people/${String(t.otherId)}` });
    expect(response.statusCode, response.body).toBe(200);
    const receipt = response.json<{ data: { kind: string; deleted: Record<string, number>; keyDestroyed: boolean; sha256: string } }>().data;
    expect(receipt.kind).toBe("worklens.deletion-receipt");
    expect(receipt.deleted["persons"]).toBe(1);
    expect(receipt.deleted["api_keys"]).toBe(1);
    expect(receipt.sha256).toMatch(/^[0-9a-f]{64}$/);

    // The deleted person's key no longer authenticates, and a second delete returns 404.
    expect((await t.as("other", { method: "GET", url: "/privacy/me/export" })).statusCode).toBe(401);
    expect((await t.as("admin", { method: "DELETE", url: `/privacy/people/${String(t.otherId)}` })).statusCode).toBe(404);
    expect(t.logs()).not.toContain(OTHER_EMAIL);
  });

  it("admin purges with a dry run", async () => {
    const dry = await t.as("admin", { method: "POST", url: "/privacy/purge", payload: { dryRun: true } });
    expect(dry.statusCode, dry.body).toBe(200);
    const report = dry.json<{ data: { dryRun: boolean; at: string; totalRemoved: number; classes: { dataClass: string }[] } }>().data;
    expect(report.dryRun).toBe(true);
    expect(report.at).toBe(new Date(NOW).toISOString());
    expect(report.classes.map((c) => c.dataClass)).toEqual(["raw_events", "derived", "suggestions", "worklogs", "audit"]);
    // The seeded data is days old, well inside the default periods.
    expect(report.totalRemoved).toBe(0);

    const real = await t.as("admin", { method: "POST", url: "/privacy/purge" });
    expect(real.statusCode, real.body).toBe(200);
    const entries = await t.base.handle.store.db.selectFrom("audit_log").select("action").where("action", "=", "privacy.purge").execute();
    expect(entries).toHaveLength(1);
    expect((await t.as("admin", { method: "POST", url: "/privacy/purge", payload: { dryRun: "yes" } })).statusCode).toBe(400);
  });
});
