import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCapacityTeam, type SeededTeam } from "../../../insights/team-capacity-seed.js";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { openApiTestApp, type ApiTestApp } from "./test-support/api-app.js";

describe.each(BACKENDS)("team routes on %s", (backend) => {
  let t: ApiTestApp;
  let seeded: SeededTeam;
  beforeEach(async () => {
    t = await openApiTestApp(backend);
    const { store } = t.base.handle;
    // dev manages the seeded team; other has the manager role but manages no team.
    seeded = await seedCapacityTeam(store, { managerPersonId: t.devId });
    await store.roles.grant(t.devId, "manager");
    await store.roles.grant(t.otherId, "manager");
  });
  afterEach(async () => {
    await t.close();
  });

  const capacityUrl = (teamId: number) => `/teams/${String(teamId)}/capacity?from=2025-03-10&to=2025-03-16`;

  it("capacity for its manager and the admin", async () => {
    const asManager = await t.as("dev", { method: "GET", url: capacityUrl(seeded.teamId) });
    expect(asManager.statusCode).toBe(200);
    const body = asManager.json<{ weeks: { week: string; totals: { contributors: number; suggestedSeconds: number } | null }[] }>();
    expect(body.weeks.map((w) => [w.week, w.totals?.contributors, w.totals?.suggestedSeconds])).toEqual([["2025-W11", 6, 20.5 * 3600]]);

    const asAdmin = await t.as("admin", { method: "GET", url: capacityUrl(seeded.teamId) });
    expect(asAdmin.statusCode).toBe(200);

    const reads = (await t.base.handle.store.audit.list({ action: "read.team_capacity" })).map((e) => e.actor);
    expect(reads).toEqual([`person:${String(t.devId)}`, "admin"]);
  });

  it("capacity refused to other managers", async () => {
    const response = await t.as("other", { method: "GET", url: capacityUrl(seeded.teamId) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: `you do not manage team ${String(seeded.teamId)}`, hint: "ask an administrator to make you the team's manager with `worklens teams set-manager`" });
    // A team that does not exist gets the same 403, so team ids cannot be probed.
    const missing = await t.as("other", { method: "GET", url: capacityUrl(9999) });
    expect(missing.statusCode).toBe(403);

    // Control: once other manages the team, the same request succeeds.
    await t.base.handle.store.teams.setManager(seeded.teamId, t.otherId);
    expect((await t.as("other", { method: "GET", url: capacityUrl(seeded.teamId) })).statusCode).toBe(200);
  });

  it("capacity refused to plain members", async () => {
    const { store } = t.base.handle;
    await store.roles.revoke(t.devId, "manager");
    // Managing the team still makes the person a manager without a grant.
    expect((await t.as("dev", { method: "GET", url: capacityUrl(seeded.teamId) })).statusCode).toBe(200);

    await store.teams.setManager(seeded.teamId, null);
    const response = await t.as("dev", { method: "GET", url: capacityUrl(seeded.teamId) });
    expect(response.statusCode).toBe(403);
  });

  it("capacity of a small team is 409", async () => {
    const { store } = t.base.handle;
    await store.teams.removeMember(seeded.teamId, seeded.people[0] ?? 0);
    await store.teams.removeMember(seeded.teamId, seeded.people[1] ?? 0);
    const response = await t.as("dev", { method: "GET", url: capacityUrl(seeded.teamId) });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: string }>().error).toBe('team "platform" has fewer members than the minimum group size of 5, so it is not shown');
  });

  it("admin manages teams and members", async () => {
    const created = await t.as("admin", { method: "POST", url: "/teams", payload: { name: "web", aiMode: "automatic", managerPersonId: t.otherId } });
    expect(created.statusCode).toBe(201);
    const team = created.json<{ id: number; name: string; aiMode: string; managerPersonId: number }>();
    expect(team).toEqual({ id: team.id, name: "web", aiMode: "automatic", managerPersonId: t.otherId });

    const member = await t.as("admin", { method: "PUT", url: `/teams/${String(team.id)}/members/${String(t.devId)}`, payload: { share: 0.5, workingDays: [1, 3], hoursPerDay: 6, tz: "Europe/Berlin" } });
    expect(member.statusCode).toBe(200);
    expect(member.json()).toEqual({ personId: t.devId, share: 0.5, workingDays: [1, 3], hoursPerDay: 6, tz: "Europe/Berlin" });
    const invalid = await t.as("admin", { method: "PUT", url: `/teams/${String(team.id)}/members/${String(t.devId)}`, payload: { share: 2, workingDays: [1], hoursPerDay: 6, tz: null } });
    expect(invalid.statusCode).toBe(400);

    const patched = await t.as("admin", { method: "PATCH", url: `/teams/${String(team.id)}`, payload: { aiMode: "off", name: "frontend" } });
    expect(patched.json()).toEqual({ id: team.id, name: "frontend", aiMode: "off", managerPersonId: t.otherId });
    const shown = await t.as("admin", { method: "GET", url: `/teams/${String(team.id)}` });
    expect(shown.json<{ members: { personId: number }[] }>().members.map((m) => m.personId)).toEqual([t.devId]);
    expect((await t.base.handle.store.teams.aiModeByPerson()).get(t.devId)).toBe("off");

    expect((await t.as("admin", { method: "DELETE", url: `/teams/${String(team.id)}/members/${String(t.devId)}` })).statusCode).toBe(204);
    expect((await t.as("admin", { method: "DELETE", url: `/teams/${String(team.id)}/members/${String(t.devId)}` })).statusCode).toBe(404);
    expect((await t.as("admin", { method: "DELETE", url: `/teams/${String(team.id)}` })).statusCode).toBe(204);
    expect((await t.as("admin", { method: "GET", url: `/teams/${String(team.id)}` })).statusCode).toBe(404);

    const changes = (await t.base.handle.store.audit.list({ action: "team.change" })).map((e) => e.details["change"]);
    expect(changes).toEqual(["create", "member.set", "rename", "ai_mode", "member.remove", "delete"]);
  });

  it("team management is admin only", async () => {
    for (const request of [
      { method: "POST" as const, url: "/teams", payload: { name: "web" } },
      { method: "PATCH" as const, url: `/teams/${String(seeded.teamId)}`, payload: { aiMode: "automatic" } },
      { method: "DELETE" as const, url: `/teams/${String(seeded.teamId)}` },
    ]) {
      expect((await t.as("dev", request)).statusCode).toBe(403);
    }
    expect((await t.base.handle.store.teams.get(seeded.teamId))?.aiMode).toBe("feedback");
  });

  it("managers list only the teams they manage", async () => {
    const store = t.base.handle.store;
    await store.teams.create({ name: "web", managerPersonId: t.otherId });
    const dev = await t.as("dev", { url: "/teams" });
    expect(dev.statusCode, dev.body).toBe(200);
    expect(dev.json<{ data: { id: number }[] }>().data.map((team) => team.id)).toEqual([seeded.teamId]);
    const admin = await t.as("admin", { url: "/teams" });
    expect(admin.json<{ data: unknown[] }>().data).toHaveLength(2);

    await store.roles.revoke(t.otherId, "manager");
    await store.roles.revoke(t.devId, "manager");
    await store.teams.setManager(seeded.teamId, null);
    expect((await t.as("dev", { url: "/teams" })).statusCode).toBe(403);
  });
});
