import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCapacityTeam, type SeededTeam } from "../../../insights/team-capacity-seed.js";
import { listCategoryRules } from "../../../store/category-repository.js";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { NOW, openApiTestApp, type ApiTestApp } from "./test-support/api-app.js";

const RULES = [
  { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
  { matchKind: "issue_type", matchValue: "Story", category: "OpEx" },
];

interface RulesBody {
  data: { rules: { matchKind: string; matchValue: string; category: string }[]; categories: string[] };
}

describe.each(BACKENDS)("category routes on %s", (backend) => {
  let t: ApiTestApp;
  let seeded: SeededTeam;
  beforeEach(async () => {
    t = await openApiTestApp(backend);
    const { store } = t.base.handle;
    // dev manages the seeded team; other is a plain member until a test grants a role.
    seeded = await seedCapacityTeam(store, { managerPersonId: t.devId });
    await store.roles.grant(t.devId, "manager");
  });
  afterEach(async () => {
    await t.close();
  });

  const putRules = (rules: unknown) => t.as("admin", { method: "PUT", url: "/categories/rules", payload: { rules } });
  const csvUrl = (breakdown: string, teamId = seeded.teamId) => `/teams/${String(teamId)}/capacity.csv?from=2025-03-10&to=2025-03-23&breakdown=${breakdown}`;

  it("rules for every signed-in person", async () => {
    // other has no role: the rules contain no personal data, so members may read them too.
    for (const who of ["dev", "other", "admin"] as const) {
      const response = await t.as(who, { method: "GET", url: "/categories/rules" });
      expect(response.statusCode, who).toBe(200);
      expect(response.json(), who).toEqual({ data: { rules: [], categories: ["Uncategorized"] } });
    }
    expect((await t.app.inject({ method: "GET", url: "/api/worklens/v1/categories/rules" })).statusCode).toBe(401);
  });

  it("admin replaces the rules", async () => {
    const response = await putRules([...RULES, { matchKind: "label", matchValue: " maintenance ", category: " OpEx " }]);
    expect(response.statusCode).toBe(200);
    const expected = { rules: [...RULES, { matchKind: "label", matchValue: "maintenance", category: "OpEx" }], categories: ["CapEx", "OpEx", "Uncategorized"] };
    expect(response.json<RulesBody>().data).toEqual(expected);
    expect((await t.as("dev", { method: "GET", url: "/categories/rules" })).json<RulesBody>().data).toEqual(expected);

    const entries = await t.base.handle.store.audit.list({ action: "categories.change" });
    expect(entries.map((e) => [e.at, e.actor, e.details])).toEqual([[NOW, "admin", { rules: 3, categories: 2 }]]);
  });

  it("rules are changed by the admin only", async () => {
    const response = await t.as("dev", { method: "PUT", url: "/categories/rules", payload: { rules: RULES } });
    expect(response.statusCode).toBe(403);
    expect(await listCategoryRules(t.base.handle.store)).toEqual([]);
  });

  it("invalid rules are rejected by position", async () => {
    await putRules(RULES);
    const duplicate = await putRules([...RULES, { matchKind: "project", matchValue: "proj", category: "OpEx" }]);
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json<{ error: string }>().error).toBe(
      "invalid request: body.rules: custom (rule 3 repeats the project match of rule 1; only the first matching rule counts, so remove one of them)",
    );
    const badKind = await putRules([{ matchKind: "component", matchValue: "api", category: "OpEx" }]);
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json<{ error: string }>().error).toBe("invalid request: body.rules.0.matchKind: invalid_value (must be project, epic, issue_type or label)");
    const longCategory = await putRules([{ matchKind: "label", matchValue: "x", category: "c".repeat(61) }]);
    expect(longCategory.json<{ error: string }>().error).toBe("invalid request: body.rules.0.category: too_big (must be at most 60 characters)");
    // Control: the stored rules are the ones of the first, valid request.
    expect(await listCategoryRules(t.base.handle.store)).toEqual(RULES);
  });

  it("capacity JSON has cost categories", async () => {
    await putRules(RULES);
    const response = await t.as("dev", { method: "GET", url: `/teams/${String(seeded.teamId)}/capacity?from=2025-03-10&to=2025-03-16` });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ weeks: { totals: { byCostCategory: unknown } | null }[] }>();
    expect(body.weeks[0]?.totals?.byCostCategory).toEqual({ cells: [{ label: "CapEx", seconds: 12 * 3600, people: 6 }], small: { label: "fewer than 5 people", seconds: 8.5 * 3600, cells: 3 } });
  });

  it("CSV of cost categories", async () => {
    await putRules(RULES);
    const response = await t.as("dev", { method: "GET", url: csvUrl("costCategory") });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="capacity-${String(seeded.teamId)}-costCategory-2025-03-10-2025-03-23.csv"`);
    expect(response.body.split("\n")).toEqual([
      "week,from,to,group,hours,people,note",
      "2025-W11,2025-03-10,2025-03-16,CapEx,12.00,6,",
      "2025-W11,2025-03-10,2025-03-16,fewer than 5 people,8.50,,3 groups merged so that no group of fewer than 5 people can be read",
      "2025-W12,2025-03-17,2025-03-23,,,,not shown: fewer than 5 people had time this week",
      "",
    ]);
  });

  it("CSV of every breakdown", async () => {
    const commitment = await t.as("admin", { method: "GET", url: csvUrl("commitment") });
    expect(commitment.statusCode).toBe(200);
    expect(commitment.body.split("\n")).toEqual([
      "week,from,to,committed_hours,suggested_hours,confirmed_hours,people,note",
      "2025-W11,2025-03-10,2025-03-16,196.00,20.50,4.00,6,",
      "2025-W12,2025-03-17,2025-03-23,,,,,not shown: fewer than 5 people had time this week",
      "",
    ]);
    const project = await t.as("admin", { method: "GET", url: csvUrl("project") });
    expect(project.body.split("\n").slice(1, 3)).toEqual([
      "2025-W11,2025-03-10,2025-03-16,PROJ,12.00,6,",
      "2025-W11,2025-03-10,2025-03-16,fewer than 5 people,8.50,,3 groups merged so that no group of fewer than 5 people can be read",
    ]);
    for (const [breakdown, firstGroup] of [["epic", "PROJ-100"], ["issueType", "Bug"], ["workKind", "coding"], ["linked", "fewer than 5 people"]] as const) {
      const response = await t.as("admin", { method: "GET", url: csvUrl(breakdown) });
      expect(response.statusCode, breakdown).toBe(200);
      expect(response.body.split("\n")[1]?.split(",")[3], breakdown).toBe(firstGroup);
    }
    const reads = await t.base.handle.store.audit.list({ action: "read.team_capacity" });
    expect(reads).toHaveLength(6);
  });

  it("CSV shows small cells at size 1", async () => {
    // Control of the suppression above: with a minimum group size of 1 the merged groups are single rows.
    await t.base.handle.store.settings.set("privacy.minGroupSize", "1");
    await putRules(RULES);
    const response = await t.as("dev", { method: "GET", url: csvUrl("costCategory") });
    expect(response.body.split("\n").slice(1, 5)).toEqual([
      "2025-W11,2025-03-10,2025-03-16,CapEx,12.00,6,",
      "2025-W11,2025-03-10,2025-03-16,OpEx,5.00,5,",
      "2025-W11,2025-03-10,2025-03-16,Uncategorized,3.00,1,",
      "2025-W11,2025-03-10,2025-03-16,unlinked,0.50,1,",
    ]);
  });

  it("CSV of a small team is 409", async () => {
    const { store } = t.base.handle;
    await store.teams.removeMember(seeded.teamId, seeded.people[0] ?? 0);
    await store.teams.removeMember(seeded.teamId, seeded.people[1] ?? 0);
    const response = await t.as("dev", { method: "GET", url: csvUrl("project") });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: string }>().error).toBe('team "platform" has fewer members than the minimum group size of 5, so it is not shown');
  });

  it("CSV refused to members and other managers", async () => {
    const member = await t.as("other", { method: "GET", url: csvUrl("project") });
    expect(member.statusCode).toBe(403);
    await t.base.handle.store.roles.grant(t.otherId, "manager");
    const elsewhere = await t.as("other", { method: "GET", url: csvUrl("project") });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json<{ error: string }>().error).toBe(`you do not manage team ${String(seeded.teamId)}`);
    // The same 403 for a team that does not exist, so team ids cannot be probed.
    expect((await t.as("other", { method: "GET", url: csvUrl("project", 9999) })).statusCode).toBe(403);
  });

  it("CSV needs a known breakdown", async () => {
    const response = await t.as("dev", { method: "GET", url: csvUrl("person") });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toBe("invalid request: query.breakdown: invalid_value (must be one of project, epic, issueType, costCategory, workKind, linked, commitment)");
  });
});
