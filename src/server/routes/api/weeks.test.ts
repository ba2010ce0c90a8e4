import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { createApiKey } from "../../auth/api-keys.js";
import { testIdentity } from "../../test-support/app.js";
import { API_PREFIX } from "./common.js";
import { issueId, NOW, openApiTestApp, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface WeekReview {
  personId: number;
  personName: string;
  weekStart: string;
  weekEnd: string;
  status: string;
  submittedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  locked: boolean;
  pending: number;
  suggestedSeconds: number;
  confirmedSeconds: number;
}

interface Suggestion {
  id: string;
  issueKey: string | null;
  seconds: number;
  confidence: number;
  status: string;
  worklog: { id: number; issueKey: string; seconds: number } | null;
}

const MANAGER_EMAIL = "mia@example.com";
const LEAD_EMAIL = "omar@example.com";
const COMMENT = "split the pairing hours-4c9e";
const WEEK = "2025-03-10";
const LOCKED_HINT = "ask a manager to reopen it";

describe.each(BACKENDS)("week routes on %s", (backend) => {
  let t: ApiTestApp;
  let managerId: number;
  let managerKey: string;
  let leadKey: string;
  let devDay1: string;
  let devDay2: string;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    const { store } = t.base.handle;
    await seedSuggestions(store);
    // The manager's e-mail matches the key's identity to the named person.
    await store.people.resolve({ source: "jira", externalId: "acc-mgr", displayName: "Mia Manager", email: MANAGER_EMAIL });
    const manager = await store.transaction((tx) => createApiKey(tx, testIdentity(MANAGER_EMAIL), NOW));
    const lead = await store.transaction((tx) => createApiKey(tx, testIdentity(LEAD_EMAIL), NOW));
    managerId = manager.personId;
    managerKey = manager.secret;
    leadKey = lead.secret;
    const commitment = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };
    const team = await store.teams.create({ name: "platform", managerPersonId: managerId });
    for (const person of [t.devId, t.otherId, managerId]) await store.teams.setMember(team.id, person, commitment);
    const otherTeam = await store.teams.create({ name: "web", managerPersonId: lead.personId });
    await store.teams.setMember(otherTeam.id, lead.personId, commitment);
    const proj1 = String(await issueId(t, "PROJ-1"));
    devDay1 = `${String(t.devId)}:2025-03-10:${proj1}`;
    devDay2 = `${String(t.devId)}:2025-03-11:${proj1}`;
  });
  afterEach(async () => {
    await t.close();
  });

  function asKey(key: string, options: InjectOptions): Promise<LightMyRequestResponse> {
    const url = typeof options.url === "string" ? `${API_PREFIX}${options.url}` : options.url;
    return t.app.inject({ ...options, ...(url === undefined ? {} : { url }), headers: { authorization: `Bearer ${key}`, ...options.headers } });
  }
  const asManager = (options: InjectOptions) => asKey(managerKey, options);
  const asLead = (options: InjectOptions) => asKey(leadKey, options);
  const post = (url: string, payload?: object): InjectOptions => (payload === undefined ? { method: "POST", url } : { method: "POST", url, payload });
  const devWeek = (step: string, day = WEEK) => `/weeks/${day}/${step}?person=${String(t.devId)}`;

  function week(response: LightMyRequestResponse, status = 200): WeekReview {
    expect(response.statusCode, response.body).toBe(status);
    return response.json<{ data: WeekReview }>().data;
  }

  async function devSuggestion(id: string): Promise<Suggestion> {
    const list = await t.as("dev", { url: "/suggestions?from=2025-03-10&to=2025-03-16" });
    const found = list.json<{ data: Suggestion[] }>().data.find((s) => s.id === id);
    if (found === undefined) throw new Error(`suggestion ${id} is not listed`);
    return found;
  }

  /** Bulk-accepts dev's week and submits it. */
  async function submitDevWeek(): Promise<WeekReview> {
    const bulk = await t.as("dev", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: WEEK, to: "2025-03-16" } });
    expect(bulk.json<{ data: { accepted: number } }>().data.accepted).toBe(2);
    return week(await t.as("dev", post(`/weeks/${WEEK}/submit`)));
  }

  it("week of any day", async () => {
    const [day1, day2] = [await devSuggestion(devDay1), await devSuggestion(devDay2)];
    const view = week(await t.as("dev", { url: "/weeks/2025-03-13" }));
    expect(view).toEqual({
      personId: t.devId,
      personName: `person ${String(t.devId)}`,
      weekStart: WEEK,
      weekEnd: "2025-03-16",
      status: "open",
      submittedAt: null,
      decidedBy: null,
      decidedAt: null,
      comment: null,
      locked: false,
      pending: 2,
      suggestedSeconds: day1.seconds + day2.seconds,
      confirmedSeconds: 0,
    });
  });

  it("submit refused while pending", async () => {
    const response = await t.as("dev", post(`/weeks/${WEEK}/submit`));
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ error: "the week of 2025-03-10 has 2 pending suggestions", hint: "accept, edit or reject them, or accept them all with POST /suggestions/bulk-accept (Accept week in the web UI), then submit again" });
    expect(week(await t.as("dev", { url: `/weeks/${WEEK}` })).status).toBe("open");
  });

  it("bulk-accept then submit", async () => {
    const [day1, day2] = [await devSuggestion(devDay1), await devSuggestion(devDay2)];
    const view = await submitDevWeek();
    expect(view).toMatchObject({ status: "submitted", locked: true, pending: 0, submittedAt: new Date(NOW).toISOString(), confirmedSeconds: day1.seconds + day2.seconds });
    const again = await t.as("dev", post(`/weeks/${WEEK}/submit`));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: "the week of 2025-03-10 is already submitted" });
  });

  it("locked week decisions are 409", async () => {
    await submitDevWeek();
    const attempts: [string, InjectOptions][] = [
      ["accept", post(`/suggestions/${devDay1}/accept`)],
      ["edit", post(`/suggestions/${devDay1}/edit`, { seconds: 600 })],
      ["reject", post(`/suggestions/${devDay1}/reject`)],
      ["undo", { method: "DELETE", url: `/suggestions/${devDay2}/decision` }],
      ["bulk-accept", post("/suggestions/bulk-accept", { from: WEEK, to: WEEK })],
      ["move", post(`/suggestions/${devDay1}/move`, { toIssueKey: "PROJ-2", seconds: 600 })],
    ];
    for (const [name, attempt] of attempts) {
      const response = await t.as("dev", attempt);
      expect(response.statusCode, name).toBe(409);
      expect(response.json(), name).toMatchObject({ error: "the week of 2025-03-10 is submitted and locked" });
    }

    week(await asManager(post(devWeek("approve"))));
    for (const [name, attempt] of attempts) {
      const response = await t.as("dev", attempt);
      expect(response.statusCode, name).toBe(409);
      expect(response.json(), name).toEqual({ error: "the week of 2025-03-10 is approved and locked", hint: LOCKED_HINT });
    }
    // The admin is held to the lock as well.
    expect((await t.as("admin", { method: "DELETE", url: `/suggestions/${devDay2}/decision` })).statusCode).toBe(409);
    expect((await devSuggestion(devDay2)).status).toBe("accepted");
  });

  it("withdraw opens the week", async () => {
    await submitDevWeek();
    const asAdmin = await t.as("admin", post(`/weeks/${WEEK}/withdraw`));
    expect(asAdmin.statusCode).toBe(403);
    const view = week(await t.as("dev", post(`/weeks/2025-03-16/withdraw`)));
    expect(view).toMatchObject({ status: "open", locked: false, submittedAt: null });
    expect((await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay2}/decision` })).statusCode).toBe(200);
    const twice = await t.as("dev", post(`/weeks/${WEEK}/withdraw`));
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: "the week of 2025-03-10 is open, not submitted, so there is nothing to withdraw" });
  });

  it("manager approves with comment", async () => {
    await submitDevWeek();
    const view = week(await asManager(post(devWeek("approve"), { comment: COMMENT })));
    expect(view).toMatchObject({ personId: t.devId, status: "approved", locked: true, decidedBy: "Mia Manager", decidedAt: new Date(NOW).toISOString(), comment: COMMENT });
    expect(week(await t.as("dev", { url: `/weeks/${WEEK}` }))).toMatchObject({ status: "approved", comment: COMMENT, decidedBy: "Mia Manager" });
    // An empty body is no comment.
    const approveAgain = await asManager({ method: "POST", url: devWeek("approve"), headers: { "content-type": "application/json" }, payload: "" });
    expect(approveAgain.statusCode).toBe(409);
    expect(approveAgain.json()).toMatchObject({ error: `cannot approve the week of 2025-03-10 of person ${String(t.devId)}: it is approved, not submitted` });
  });

  it("approve own week is 403", async () => {
    // The manager has no suggestions, so their week can be submitted at once.
    week(await asManager(post(`/weeks/${WEEK}/submit`)));
    const response = await asManager(post(`/weeks/${WEEK}/approve?person=${String(managerId)}`));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: "you cannot approve your own week", hint: "ask a manager of your team, or the admin, to decide it" });
    expect(week(await t.as("admin", post(`/weeks/${WEEK}/approve?person=${String(managerId)}`))).decidedBy).toBe("admin");
  });

  it("other team's manager is 403", async () => {
    await submitDevWeek();
    const lead = await asLead(post(devWeek("approve")));
    expect(lead.statusCode).toBe(403);
    expect(lead.json()).toMatchObject({ error: `you do not manage a team that person ${String(t.devId)} is in` });
    // A person without the manager role does not reach the route.
    const member = await t.as("other", post(devWeek("approve")));
    expect(member.statusCode).toBe(403);
    expect(member.json()).toMatchObject({ error: "this route needs a person with the manager role, or the admin" });
    expect((await asLead({ url: `/weeks/${WEEK}?person=${String(t.devId)}` })).statusCode).toBe(403);
    expect(week(await asManager({ url: `/weeks/${WEEK}?person=${String(t.devId)}` })).status).toBe("submitted");
  });

  it("reject needs a comment", async () => {
    await submitDevWeek();
    const missing = await asManager(post(devWeek("reject")));
    expect(missing.statusCode).toBe(400);
    const blank = await asManager(post(devWeek("reject"), { comment: "   " }));
    expect(blank.statusCode).toBe(400);
    expect(blank.json<{ error: string }>().error).toContain("body.comment");
    const noPerson = await asManager(post(`/weeks/${WEEK}/reject`, { comment: COMMENT }));
    expect(noPerson.statusCode).toBe(400);
    expect(noPerson.json<{ error: string }>().error).toContain("query.person");

    const view = week(await asManager(post(devWeek("reject"), { comment: COMMENT })));
    expect(view).toMatchObject({ status: "rejected", locked: false, comment: COMMENT });
    expect((await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay2}/decision` })).statusCode).toBe(200);
  });

  it("reopen unlocks an approved week", async () => {
    await submitDevWeek();
    week(await asManager(post(devWeek("approve"))));
    const view = week(await asManager(post(devWeek("reopen"), { comment: "Tuesday needs a second look" })));
    expect(view).toMatchObject({ status: "reopened", locked: false, comment: "Tuesday needs a second look" });
    expect((await t.as("dev", { method: "DELETE", url: `/suggestions/${devDay2}/decision` })).statusCode).toBe(200);
    expect(week(await t.as("dev", { url: `/weeks/${WEEK}` })).pending).toBe(1);
  });

  it("submitted weeks for managers", async () => {
    await submitDevWeek();
    const forManager = await asManager({ url: "/weeks/submitted" });
    expect(forManager.statusCode).toBe(200);
    expect(forManager.json<{ data: WeekReview[] }>().data.map((w) => [w.personId, w.weekStart, w.status])).toEqual([[t.devId, WEEK, "submitted"]]);
    expect((await asLead({ url: "/weeks/submitted" })).json<{ data: WeekReview[] }>().data).toEqual([]);
    expect((await t.as("admin", { url: "/weeks/submitted" })).json<{ data: WeekReview[] }>().data).toHaveLength(1);
    expect((await t.as("dev", { url: "/weeks/submitted" })).statusCode).toBe(403);

    const reads = await t.base.handle.store.audit.list({ action: "read.weeks" });
    expect(reads.map((e) => [e.actor, e.details["weeks"]])).toEqual([
      [`person:${String(managerId)}`, 1],
      [expect.stringMatching(/^person:\d+$/) as unknown, 0],
      ["admin", 1],
    ]);
  });

  it("lists weeks with access rules", async () => {
    await t.base.handle.store.results.replaceSuggestions("2025-03-18", "2025-03-18", [{ personId: t.devId, day: "2025-03-18", issueId: await issueId(t, "PROJ-2"), seconds: 1200, confidence: 0.7, evidence: [] }]);
    const own = await t.as("dev", { url: "/weeks" });
    expect(own.statusCode).toBe(200);
    expect(own.json<{ data: WeekReview[] }>().data.map((w) => [w.weekStart, w.pending])).toEqual([
      ["2025-03-17", 1],
      [WEEK, 2],
    ]);
    const limited = await asManager({ url: `/weeks?person=${String(t.devId)}&limit=1` });
    expect(limited.json<{ data: WeekReview[] }>().data.map((w) => w.weekStart)).toEqual(["2025-03-17"]);
    expect((await t.as("dev", { url: `/weeks?person=${String(t.otherId)}` })).statusCode).toBe(403);
    expect((await t.as("dev", { url: "/weeks?limit=0" })).statusCode).toBe(400);

    const adminWithout = await t.as("admin", { url: "/weeks" });
    expect(adminWithout.statusCode).toBe(400);
    expect(adminWithout.json()).toMatchObject({ error: "person is required with the admin token, which acts as no person" });
    expect((await t.as("admin", { url: "/weeks?person=99999" })).statusCode).toBe(404);

    // The manager's read of another person's weeks is audited; dev's read of their own is not.
    const reads = await t.base.handle.store.audit.list({ action: "read.weeks" });
    expect(reads.map((e) => [e.actor, e.subject])).toEqual([[`person:${String(managerId)}`, `person:${String(t.devId)}`]]);
  });

  it("audit entries in order", async () => {
    await submitDevWeek();
    week(await asManager(post(devWeek("reject"), { comment: COMMENT })));
    week(await t.as("dev", post(`/weeks/${WEEK}/submit`)));
    week(await asManager(post(devWeek("approve"))));
    week(await t.as("admin", post(devWeek("reopen"))));
    week(await t.as("dev", post(`/weeks/${WEEK}/submit`)));
    week(await t.as("dev", post(`/weeks/${WEEK}/withdraw`)));

    const dev = `person:${String(t.devId)}`;
    const manager = `person:${String(managerId)}`;
    const entries = await t.base.handle.store.audit.list({ action: "week." });
    expect(entries.map((e) => [e.action, e.actor, e.subject])).toEqual([
      ["week.submit", dev, dev],
      ["week.reject", manager, dev],
      ["week.submit", dev, dev],
      ["week.approve", manager, dev],
      ["week.reopen", "admin", dev],
      ["week.submit", dev, dev],
      ["week.withdraw", dev, dev],
    ]);
    // The comment's words, not its hex suffix: hashes and ciphertext may contain any four hex digits by chance.
    expect(JSON.stringify(entries)).not.toContain("pairing hours");
  });

  it("move from a linked suggestion", async () => {
    const source = await devSuggestion(devDay1);
    const response = await t.as("dev", post(`/suggestions/${devDay1}/move`, { toIssueKey: "PROJ-2", seconds: 1800, comment: "pairing" }));
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ data: { from: Suggestion; to: Suggestion }; writeBackJob: string | null }>();
    expect(body.data.from).toMatchObject({ id: devDay1, status: "edited", seconds: source.seconds, worklog: { issueKey: "PROJ-1", seconds: source.seconds - 1800 } });
    expect(body.data.to).toMatchObject({
      id: `${String(t.devId)}:2025-03-10:${String(await issueId(t, "PROJ-2"))}`,
      issueKey: "PROJ-2",
      seconds: 0,
      confidence: 0,
      status: "accepted",
      worklog: { issueKey: "PROJ-2", seconds: 1800 },
    });
    expect(body.writeBackJob).toBe("write-back-1");

    const worklogs = await t.as("dev", { url: "/worklogs?from=2025-03-10&to=2025-03-10" });
    expect(worklogs.json<{ data: { issueKey: string; seconds: number; comment: string | null }[] }>().data.map((w) => [w.issueKey, w.seconds, w.comment])).toEqual([
      ["PROJ-1", source.seconds - 1800, null],
      ["PROJ-2", 1800, "pairing"],
    ]);
    expect(week(await t.as("dev", { url: `/weeks/${WEEK}` })).confirmedSeconds).toBe(source.seconds);
    const moves = await t.base.handle.store.audit.list({ action: "suggestion.move" });
    expect(moves.map((e) => [e.actor, e.details["seconds"], e.details["decision"]])).toEqual([[`person:${String(t.devId)}`, 1800, "edited"]]);
  });

  it("move from unlinked time", async () => {
    const { store } = t.base.handle;
    await store.results.replaceSuggestions("2025-03-12", "2025-03-12", [{ personId: t.devId, day: "2025-03-12", issueId: null, seconds: 2700, confidence: 0, evidence: [] }]);
    const unlinked = `${String(t.devId)}:2025-03-12:unlinked`;
    const response = await t.as("dev", post(`/suggestions/${unlinked}/move`, { toIssueKey: "PROJ-2", seconds: 1200 }));
    expect(response.statusCode, response.body).toBe(200);
    const { from, to } = response.json<{ data: { from: Suggestion; to: Suggestion } }>().data;
    expect(from).toMatchObject({ id: unlinked, issueKey: null, status: "edited", seconds: 2700, worklog: { issueKey: "PROJ-2", seconds: 1200 } });
    expect(to).toMatchObject({ issueKey: "PROJ-2", status: "accepted", worklog: { id: from.worklog?.id, seconds: 1200 } });
    expect((await devSuggestion(unlinked)).status).toBe("edited");
  });

  it("move rejects bad requests", async () => {
    const source = await devSuggestion(devDay1);
    const unknown = await t.as("dev", post(`/suggestions/${devDay1}/move`, { toIssueKey: "NOPE-1", seconds: 600 }));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: "issue NOPE-1 is not in the store" });
    const tooMuch = await t.as("dev", post(`/suggestions/${devDay1}/move`, { toIssueKey: "PROJ-2", seconds: source.seconds + 60 }));
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json()).toMatchObject({ error: `seconds ${String(source.seconds + 60)} is more than the suggestion's ${String(source.seconds)}` });
    const zero = await t.as("dev", post(`/suggestions/${devDay1}/move`, { toIssueKey: "PROJ-2", seconds: 0 }));
    expect(zero.statusCode).toBe(400);
    expect(zero.json<{ error: string }>().error).toContain("body.seconds");
    const foreign = await t.as("other", post(`/suggestions/${devDay1}/move`, { toIssueKey: "PROJ-2", seconds: 600 }));
    expect(foreign.statusCode).toBe(403);
    expect((await devSuggestion(devDay1)).status).toBe("pending");
  });

  it("comment encrypted at rest", async () => {
    await submitDevWeek();
    week(await asManager(post(devWeek("reject"), { comment: COMMENT })));
    const row = await t.base.handle.store.db.selectFrom("week_reviews").select("comment").where("person_id", "=", t.devId).executeTakeFirstOrThrow();
    expect(row.comment).not.toBeNull();
    expect(row.comment).not.toContain("pairing hours");
    expect(week(await t.as("dev", { url: `/weeks/${WEEK}` })).comment).toBe(COMMENT);
  });
});
