import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRetentionPolicy } from "../../../governance/retention-settings.js";
import { DEFAULT_COLLECTION_POLICY } from "../../../privacy/collection.js";
import { DEFAULT_RETENTION } from "../../../privacy/retention.js";
import { getAutoAcceptMinConfidence } from "../../../review/auto-accept.js";
import { getCollectionPolicy, getMinGroupSize } from "../../../store/privacy-settings.js";
import type { Store } from "../../../store/store.js";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { openApiTestApp, type ApiTestApp } from "./test-support/api-app.js";

interface PrivacySettings {
  minGroupSize: number;
  retention: Record<string, number | null>;
  collection: typeof DEFAULT_COLLECTION_POLICY;
  aiModes: { teamId: number; teamName: string; mode: string }[];
  autoAcceptThreshold: number;
}

/** A repository name that must never reach the audit log. */
const PRIVATE_REPOSITORY = "acme/secret-merger-project";

describe.each(BACKENDS)("privacy settings routes on %s", (backend) => {
  let t: ApiTestApp;
  let store: Store;
  let platform: number;
  let web: number;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    store = t.base.handle.store;
    platform = (await store.teams.create({ name: "platform" })).id;
    web = (await store.teams.create({ name: "web", aiMode: "off" })).id;
  });
  afterEach(async () => {
    await t.close();
  });

  const get = async () => {
    const response = await t.as("admin", { method: "GET", url: "/settings/privacy" });
    expect(response.statusCode).toBe(200);
    return response.json<{ data: PrivacySettings }>().data;
  };
  const put = (payload: object, who: "admin" | "dev" | "other" = "admin") => t.as(who, { method: "PUT", url: "/settings/privacy", payload });
  const settingsChanges = () => store.audit.list({ action: "settings.change" });

  it("shows defaults to admins and auditors", async () => {
    expect(await get()).toEqual({
      minGroupSize: 5,
      retention: DEFAULT_RETENTION,
      collection: DEFAULT_COLLECTION_POLICY,
      aiModes: [
        { teamId: platform, teamName: "platform", mode: "feedback" },
        { teamId: web, teamName: "web", mode: "off" },
      ],
      autoAcceptThreshold: 0.8,
    });
    expect((await t.as("dev", { method: "GET", url: "/settings/privacy" })).statusCode).toBe(403);
    await store.roles.grant(t.otherId, "auditor");
    expect((await t.as("other", { method: "GET", url: "/settings/privacy" })).statusCode).toBe(200);
  });

  it("changes every part, audited once", async () => {
    const collection = { ...DEFAULT_COLLECTION_POLICY, git: { ...DEFAULT_COLLECTION_POLICY.git, paths: false }, repositories: [PRIVATE_REPOSITORY] };
    const response = await put({
      minGroupSize: 3,
      retention: { derived: 90, worklogs: 3650 },
      collection,
      aiModes: [{ teamId: web, mode: "automatic" }],
      autoAcceptThreshold: 0.95,
    });
    expect(response.statusCode).toBe(200);
    const expected: PrivacySettings = {
      minGroupSize: 3,
      retention: { ...DEFAULT_RETENTION, derived: 90, worklogs: 3650 },
      collection,
      aiModes: [
        { teamId: platform, teamName: "platform", mode: "feedback" },
        { teamId: web, teamName: "web", mode: "automatic" },
      ],
      autoAcceptThreshold: 0.95,
    };
    expect(response.json<{ data: PrivacySettings }>().data).toEqual(expected);
    expect(await get()).toEqual(expected);

    // The components that act on the settings read the new values.
    expect(await getMinGroupSize(store)).toBe(3);
    expect(await readRetentionPolicy(store)).toEqual(expected.retention);
    expect(await getCollectionPolicy(store)).toEqual(collection);
    expect((await store.teams.get(web))?.aiMode).toBe("automatic");
    expect(await getAutoAcceptMinConfidence(store)).toBe(0.95);

    const entries = await settingsChanges();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actor).toBe("admin");
    expect(entries[0]?.details).toEqual({
      setting: "privacy",
      parts: ["minGroupSize", "retention", "collection", "aiModes", "autoAcceptThreshold"],
      changed: ["minGroupSize", "retention.derived", "retention.worklogs", "collection.git.paths", "collection.repositories", "aiModes." + String(web), "autoAcceptThreshold"],
      values: {
        minGroupSize: { from: 5, to: 3 },
        "retention.derived": { from: 400, to: 90 },
        "retention.worklogs": { from: null, to: 3650 },
        ["aiModes." + String(web)]: { from: "off", to: "automatic" },
        autoAcceptThreshold: { from: 0.8, to: 0.95 },
      },
    });
    expect(JSON.stringify(entries)).not.toContain(PRIVATE_REPOSITORY);

    // Sending back what GET returned changes nothing and adds no entry.
    const roundTrip = await put(await get());
    expect(roundTrip.statusCode).toBe(200);
    expect(roundTrip.json<{ data: PrivacySettings }>().data).toEqual(expected);
    expect(await settingsChanges()).toHaveLength(1);
  });

  it("changes only the parts sent", async () => {
    await put({ retention: { derived: 90 } });
    const response = await put({ retention: { suggestions: null }, minGroupSize: 7 });
    expect(response.statusCode).toBe(200);
    const data = response.json<{ data: PrivacySettings }>().data;
    expect(data.retention).toEqual({ ...DEFAULT_RETENTION, derived: 90, suggestions: null });
    expect(data.minGroupSize).toBe(7);
    expect(data.autoAcceptThreshold).toBe(0.8);
    expect((await settingsChanges()).map((e) => e.details["parts"])).toEqual([["retention"], ["minGroupSize", "retention"]]);
    // A person with the admin role changes settings under their own name.
    await store.roles.grant(t.otherId, "admin");
    expect((await put({ minGroupSize: 6 }, "other")).statusCode).toBe(200);
    expect((await settingsChanges()).at(-1)?.actor).toBe(`person:${String(t.otherId)}`);
  });

  it("rejects invalid settings by field", async () => {
    const cases: [object, string][] = [
      [{ minGroupSize: 0 }, "body.minGroupSize: too_small"],
      [{ minGroupSize: 2.5 }, "body.minGroupSize: invalid_type"],
      [{ retention: { derived: 0 } }, "body.retention.derived: too_small"],
      [{ retention: { raw: 30 } }, "body.retention: unrecognized_keys"],
      [{ collection: { calendar: { title: "partial" } } }, "body.collection.calendar.title: invalid_value"],
      [{ collection: { repositories: [""] } }, "body.collection.repositories.0: too_small"],
      [{ aiModes: [{ teamId: web, mode: "manual" }] }, "body.aiModes.0.mode: invalid_value"],
      [{ autoAcceptThreshold: 0 }, "body.autoAcceptThreshold: too_small"],
      [{ autoAcceptThreshold: 1.5 }, "body.autoAcceptThreshold: too_big"],
      [{ minGroup: 3 }, "body: unrecognized_keys"],
    ];
    for (const [payload, message] of cases) {
      const response = await put(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json<{ error: string }>().error, JSON.stringify(payload)).toContain(message);
    }

    // A valid part in the same request as an unknown team is rolled back with it.
    const unknownTeam = await put({ minGroupSize: 3, aiModes: [{ teamId: 999_999, mode: "off" }] });
    expect(unknownTeam.statusCode).toBe(400);
    expect(unknownTeam.json()).toEqual({ error: "invalid request: body.aiModes.0.teamId: no team has id 999999", hint: "GET /teams lists the team ids" });
    const twice = await put({ aiModes: [{ teamId: web, mode: "automatic" }, { teamId: web, mode: "off" }] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json<{ error: string }>().error).toBe(`invalid request: body.aiModes.1.teamId: team ${String(web)} is listed twice`);

    expect(await getMinGroupSize(store)).toBe(5);
    expect((await store.teams.get(web))?.aiMode).toBe("off");
    expect(await settingsChanges()).toEqual([]);
  });

  it("lets only admins change settings", async () => {
    expect((await put({ minGroupSize: 2 }, "dev")).statusCode).toBe(403);
    await store.roles.grant(t.otherId, "auditor");
    expect((await put({ minGroupSize: 2 }, "other")).statusCode).toBe(403);
    expect(await getMinGroupSize(store)).toBe(5);
    expect(await settingsChanges()).toEqual([]);
  });
});
