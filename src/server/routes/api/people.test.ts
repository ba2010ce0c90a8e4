import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importWakatime } from "../../../ingest/wakatime/import.js";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { TEST_EMAIL, testIdentity } from "../../test-support/app.js";
import { openApiTestApp, OTHER_EMAIL, PRIVATE_TEXT, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface Person {
  id: number;
  displayName: string | null;
  tz: string | null;
  identities: { source: string; count: number }[];
  identityIds?: { id: number; source: string }[];
}

/** A person with no API key and no decisions, so the merge route accepts merging it away. */
const PAIR_EMAIL = "pair@example.com";
/** A value no response or log line should contain; tests send it where validation fails. */
const MARKER = "zq-secret-marker-5823";

interface Issue {
  id: number;
  key: string;
  project: string;
  type: string | null;
  status: string | null;
  summary: string;
}

describe.each(BACKENDS)("people and issue routes on %s", (backend) => {
  let t: ApiTestApp;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    await seedSuggestions(t.base.handle.store);
  });
  afterEach(async () => {
    await t.close();
  });

  /** Return the people that GET /people returns to the principal. */
  async function people(principal: "dev" | "other" | "admin" = "admin"): Promise<Person[]> {
    const response = await t.as(principal, { url: "/people" });
    expect(response.statusCode).toBe(200);
    return response.json<{ data: Person[] }>().data;
  }

  async function person(id: number): Promise<Person | undefined> {
    return (await people()).find((p) => p.id === id);
  }

  /** Import an hour of heartbeats of PAIR_EMAIL through the real importer and return the new person's id. */
  async function importPair(): Promise<number> {
    const folder = mkdtempSync(join(tmpdir(), "worklens-api-people-"));
    try {
      const file = join(folder, "pair.json");
      const start = Date.UTC(2025, 2, 10, 15) / 1000;
      const beats = [0, 120, 240].map((offset) => ({ time: start + offset, entity: "/home/pair/proj/src/parser.ts", type: "file", category: "coding", project: "proj", branch: "PROJ-1-fix-parser", is_write: true }));
      writeFileSync(file, JSON.stringify(beats));
      await importWakatime(t.base.handle.store, file, { person: testIdentity(PAIR_EMAIL) });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const found = await t.base.handle.store.people.findIdentity("wakatime", PAIR_EMAIL);
    if (found === undefined) throw new Error("the import stored no identity for the pair");
    return found.personId;
  }

  async function activityCount(personId: number): Promise<number> {
    return (await t.base.handle.store.activities.list({ personId })).length;
  }

  it("admin lists everyone without e-mails", async () => {
    const response = await t.as("admin", { url: "/people" });
    expect(response.statusCode).toBe(200);
    const people = response.json<{ data: Person[] }>().data;
    expect(people.map((p) => p.id)).toContain(t.otherId);
    const devIdentity = await t.base.handle.store.people.findIdentity("wakatime", TEST_EMAIL);
    expect(people.find((p) => p.id === t.devId)).toEqual({
      id: t.devId,
      displayName: null,
      tz: null,
      identities: [{ source: "wakatime", count: 1 }],
      identityIds: [{ id: devIdentity?.identityId, source: "wakatime" }],
    });
    expect(people.find((p) => p.displayName === "Reporter")?.identities).toEqual([{ source: "jira", count: 1 }]);
    expect(response.body).not.toContain(TEST_EMAIL);
    expect(response.body).not.toContain(OTHER_EMAIL);
    expect(response.body).not.toContain("acc-9");
  });

  it("person lists only themselves", async () => {
    const response = await t.as("other", { url: "/people" });
    const listed = response.json<{ data: Person[] }>().data;
    expect(listed.map((p) => p.id)).toEqual([t.otherId]);
    expect(listed[0]).not.toHaveProperty("identityIds");
  });

  it("people/me returns the key's person", async () => {
    await t.base.handle.store.people.setTimeZone(t.devId, "Europe/Berlin");
    const response = await t.as("dev", { url: "/people/me" });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Person }>().data).toMatchObject({ id: t.devId, tz: "Europe/Berlin" });
    expect(response.json<{ data: Person }>().data).not.toHaveProperty("identityIds");
  });

  it("people/me for the admin returns 404", async () => {
    const response = await t.as("admin", { url: "/people/me" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "the admin token belongs to no person", hint: "send a person's API key, or list everyone with GET /people" });
  });

  it("issues list summaries only", async () => {
    for (const principal of ["dev", "admin"] as const) {
      const response = await t.as(principal, { url: "/issues" });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ data: Issue[]; total: number }>();
      expect(body.total).toBe(2);
      expect(body.data.map(({ id: _id, ...rest }) => rest)).toEqual([
        { key: "PROJ-1", project: "PROJ", type: "Bug", status: "In Progress", summary: "Parser drops empty lines" },
        { key: "PROJ-2", project: "PROJ", type: "Bug", status: "In Progress", summary: "Crawler retries forever" },
      ]);
      expect(response.body).not.toContain(PRIVATE_TEXT);
    }
  });

  it("issues filter by project, key and page", async () => {
    const byKey = await t.as("dev", { url: "/issues?key=PROJ-2" });
    expect(byKey.json<{ data: Issue[] }>().data.map((i) => i.key)).toEqual(["PROJ-2"]);
    const otherProject = await t.as("dev", { url: "/issues?project=NUTCH" });
    expect(otherProject.json<{ data: Issue[]; total: number }>()).toEqual({ data: [], total: 0 });
    const page = await t.as("dev", { url: "/issues?project=PROJ&limit=1&offset=1" });
    expect(page.json<{ data: Issue[]; total: number }>()).toMatchObject({ data: [{ key: "PROJ-2" }], total: 2 });
  });

  it("issues reject a malformed key", async () => {
    const response = await t.as("dev", { url: "/issues?key=proj-two" });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toBe("invalid request: query.key: invalid_format (expected a Jira issue key such as PROJ-42)");
  });
  it("zone: a person sets its own zone", async () => {
    const response = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: { tz: " Europe/Berlin " } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: Person }>().data;
    expect(body).toEqual({ id: t.devId, displayName: null, tz: "Europe/Berlin", identities: [{ source: "wakatime", count: 1 }] });
    expect((await person(t.devId))?.tz).toBe("Europe/Berlin");
  });

  it("zone: admin sets and clears anyone's zone", async () => {
    const set = await t.as("admin", { method: "PUT", url: `/people/${String(t.otherId)}/zone`, payload: { tz: "+05:30" } });
    expect(set.statusCode).toBe(200);
    expect(set.json<{ data: Person }>().data).toMatchObject({ id: t.otherId, tz: "+05:30", identityIds: [expect.objectContaining({ source: "wakatime" })] });
    const cleared = await t.as("admin", { method: "PUT", url: `/people/${String(t.otherId)}/zone`, payload: { tz: null } });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json<{ data: Person }>().data.tz).toBeNull();
    expect((await person(t.otherId))?.tz).toBeNull();
  });

  it("zone of another person returns 403", async () => {
    const response = await t.as("dev", { method: "PUT", url: `/people/${String(t.otherId)}/zone`, payload: { tz: "Asia/Tokyo" } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: `a person's API key may set only its own person's zone, not person ${String(t.otherId)}'s`,
      hint: "send your own person id from GET /people/me, or the admin token",
    });
    expect((await person(t.otherId))?.tz).toBeNull();
  });

  it("zone of an unknown person returns 404", async () => {
    const response = await t.as("admin", { method: "PUT", url: "/people/9999/zone", payload: { tz: "Asia/Tokyo" } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "person 9999 not found", hint: "list people and their ids with GET /people" });
  });

  it("zone rejects names that are no zone", async () => {
    for (const tz of [MARKER, "", "Europe/Atlantis", "+25:00"]) {
      const response = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: { tz } });
      expect(response.statusCode, tz).toBe(400);
      expect(response.json<{ error: string }>().error).toBe(
        "invalid request: body.tz: custom (expected an IANA time zone such as Europe/Berlin, UTC, or a fixed offset such as +01:00; send null to clear the zone)",
      );
      expect(response.body).not.toContain(MARKER);
    }
    const long = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: { tz: MARKER.repeat(4) } });
    expect(long.json<{ error: string }>().error).toBe("invalid request: body.tz: too_big (Too big: expected string to have <=64 characters)");
    const missing = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: {} });
    expect(missing.json<{ error: string }>().error).toBe("invalid request: body.tz: invalid_type (Invalid input: expected string, received undefined)");
    const extra = await t.as("dev", { method: "PUT", url: `/people/${String(t.devId)}/zone`, payload: { tz: null, [MARKER]: 1 } });
    expect(extra.json<{ error: string }>().error).toBe("invalid request: body: unrecognized_keys (remove the fields this route does not take)");
    expect(extra.body).not.toContain(MARKER);
    expect(t.logs()).not.toContain(MARKER);
    expect((await person(t.devId))?.tz).toBeNull();
  });

  it("merge moves identities and activities", async () => {
    const pairId = await importPair();
    const pairIdentities = (await person(pairId))?.identityIds ?? [];
    expect(await activityCount(pairId)).toBe(3);
    const devActivities = await activityCount(t.devId);
    const response = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: pairId } });
    expect(response.statusCode).toBe(200);
    const merged = response.json<{ data: Person }>().data;
    expect(merged).toMatchObject({ id: t.devId, identities: [{ source: "wakatime", count: 2 }] });
    expect(merged.identityIds?.map((i) => i.id)).toContain(pairIdentities[0]?.id);
    expect(response.body).not.toContain(PAIR_EMAIL);
    expect(await person(pairId)).toBeUndefined();
    expect(await person(t.devId)).toEqual(merged);
    expect(await activityCount(pairId)).toBe(0);
    expect(await activityCount(t.devId)).toBe(devActivities + 3);
  });

  it("merge moves issue events and actions", async () => {
    const reporter = (await people()).find((p) => p.displayName === "Reporter");
    if (reporter === undefined) throw new Error("the seed stored no reporter");
    const response = await t.as("admin", { method: "POST", url: `/people/${String(t.otherId)}/merge`, payload: { from: reporter.id } });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Person }>().data.identities).toEqual([
      { source: "jira", count: 1 },
      { source: "wakatime", count: 1 },
    ]);
    // The seed's comments are by the reporter; the issues' creation events name no one.
    const authors = (await t.base.handle.store.issues.events()).map((e) => e.personId).filter((id) => id !== null);
    expect(authors).toEqual([t.otherId, t.otherId]);
    expect(await activityCount(reporter.id)).toBe(0);
    const actions = await t.base.handle.store.activities.list({ personId: t.otherId, source: "jira" });
    expect(actions).toHaveLength(2);
  });

  it("merge into itself returns 400", async () => {
    const response = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: t.devId } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: `cannot merge person ${String(t.devId)} into itself`, hint: "send as from the id of another person than the one in the path" });
  });

  it("merge of unknown people returns 404", async () => {
    const unknownFrom = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: 9999 } });
    expect(unknownFrom.statusCode).toBe(404);
    expect(unknownFrom.json<{ error: string }>().error).toBe("person 9999 not found");
    const unknownInto = await t.as("admin", { method: "POST", url: "/people/9999/merge", payload: { from: t.otherId } });
    expect(unknownInto.statusCode).toBe(404);
    expect(await person(t.otherId)).toBeDefined();
  });

  it("merge moves keys and decisions", async () => {
    const { store } = t.base.handle;
    await store.reviews.insert({ personId: t.otherId, day: "2025-03-10", issueId: null, decision: "rejected", suggestedSeconds: 600, suggestedConfidence: 0.3, worklogId: null, decidedAt: Date.UTC(2025, 2, 13), decidedBy: "admin" });
    const response = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: t.otherId } });
    expect(response.statusCode).toBe(200);
    expect(await person(t.otherId)).toBeUndefined();
    expect(await activityCount(t.devId)).toBeGreaterThanOrEqual(46);
    expect((await store.keys.list()).map((key) => key.personId)).toEqual([t.devId, t.devId]);
    expect((await store.reviews.list()).map((review) => review.personId)).toEqual([t.devId]);
    const asOther = await t.as("other", { url: "/people/me" });
    expect(asOther.json<{ data: { id: number } }>().data.id).toBe(t.devId);
  });

  it("merge with clashing decisions returns 409", async () => {
    const { store } = t.base.handle;
    for (const personId of [t.devId, t.otherId]) {
      await store.reviews.insert({ personId, day: "2025-03-10", issueId: null, decision: "rejected", suggestedSeconds: 600, suggestedConfidence: 0.3, worklogId: null, decidedAt: Date.UTC(2025, 2, 13), decidedBy: "admin" });
    }
    const response = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: t.otherId } });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: string }>().error).toBe(`persons ${String(t.devId)} and ${String(t.otherId)} both decided a suggestion of 2025-03-10, so they cannot be merged`);
    expect(await person(t.otherId)).toBeDefined();
  });

  it("merge and split need the admin token", async () => {
    const pairId = await importPair();
    const merge = await t.as("dev", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: pairId } });
    expect(merge.statusCode).toBe(403);
    expect(merge.json<{ error: string }>().error).toBe("this route needs the admin token or a person with the admin role");
    const identity = (await person(pairId))?.identityIds?.[0]?.id ?? 0;
    const split = await t.as("dev", { method: "POST", url: `/identities/${String(identity)}/split` });
    expect(split.statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: "POST", url: `/api/worklens/v1/identities/${String(identity)}/split` });
    expect(anonymous.statusCode).toBe(401);
    expect(await person(pairId)).toMatchObject({ identities: [{ source: "wakatime", count: 1 }] });
  });

  it("merge rejects invalid bodies", async () => {
    const cases: [unknown, string][] = [
      [{ from: MARKER }, "invalid request: body.from: invalid_type (Invalid input: expected number, received string)"],
      [{ from: 0 }, "invalid request: body.from: too_small (Too small: expected number to be >0)"],
      [{ from: 1.5 }, "invalid request: body.from: invalid_type (Invalid input: expected int, received number)"],
      [{}, "invalid request: body.from: invalid_type (Invalid input: expected number, received undefined)"],
      [{ from: 2, [MARKER]: true }, "invalid request: body: unrecognized_keys (remove the fields this route does not take)"],
    ];
    for (const [payload, error] of cases) {
      const response = await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: payload as Record<string, unknown> });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: string }>().error).toBe(error);
      expect(response.body).not.toContain(MARKER);
    }
    const value = "zq-path-value-3307";
    const path = await t.as("admin", { method: "POST", url: `/people/${value}/merge`, payload: { from: t.otherId } });
    expect(path.statusCode).toBe(400);
    expect(path.json<{ error: string }>().error).toBe("invalid request: params.id: invalid_type (Invalid input: expected number, received NaN)");
    expect(path.body).not.toContain(value);
    expect(t.logs()).not.toContain(MARKER);
  });

  it("split moves identity and activities", async () => {
    const pairId = await importPair();
    const pairIdentity = (await person(pairId))?.identityIds?.[0]?.id;
    if (pairIdentity === undefined) throw new Error("the pair has no identity id");
    await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: pairId } });

    const response = await t.as("admin", { method: "POST", url: `/identities/${String(pairIdentity)}/split` });
    expect(response.statusCode).toBe(200);
    const created = response.json<{ data: Person }>().data;
    expect(created).toMatchObject({ identities: [{ source: "wakatime", count: 1 }], identityIds: [{ id: pairIdentity, source: "wakatime" }] });
    expect(created.id).not.toBe(t.devId);
    expect(created.id).not.toBe(pairId);
    expect(response.body).not.toContain(PAIR_EMAIL);
    expect(await person(created.id)).toEqual(created);
    expect((await person(t.devId))?.identities).toEqual([{ source: "wakatime", count: 1 }]);
    const moved = await t.base.handle.store.activities.list({ personId: created.id });
    expect(moved).toHaveLength(3);
  });

  it("split of an only identity returns 409", async () => {
    const identity = (await person(t.otherId))?.identityIds?.[0]?.id ?? 0;
    const response = await t.as("admin", { method: "POST", url: `/identities/${String(identity)}/split` });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      error: `identity ${String(identity)} is the only identity of person ${String(t.otherId)}, so a split would leave that person empty`,
      hint: "split only identities of people that have two or more",
    });
  });

  it("split moves the identity's key", async () => {
    const pairId = await importPair();
    await t.as("admin", { method: "POST", url: `/people/${String(t.devId)}/merge`, payload: { from: pairId } });
    const devIdentity = await t.base.handle.store.people.findIdentity("wakatime", TEST_EMAIL);
    const identity = devIdentity?.identityId ?? 0;
    const response = await t.as("admin", { method: "POST", url: `/identities/${String(identity)}/split` });
    expect(response.statusCode).toBe(200);
    const newPerson = response.json<{ data: { id: number } }>().data.id;
    expect(newPerson).not.toBe(t.devId);
    const me = await t.as("dev", { url: "/people/me" });
    expect(me.json<{ data: { id: number } }>().data.id).toBe(newPerson);
  });

  it("split of an unknown identity returns 404", async () => {
    const response = await t.as("admin", { method: "POST", url: "/identities/9999/split" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "identity 9999 not found", hint: "list identity ids with GET /people and the admin token: they are in identityIds" });
    const value = "zq-path-value-6618";
    const malformed = await t.as("admin", { method: "POST", url: `/identities/${value}/split` });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).not.toContain(value);
  });
});
