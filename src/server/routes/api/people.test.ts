import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { TEST_EMAIL } from "../../test-support/app.js";
import { openApiTestApp, OTHER_EMAIL, PRIVATE_TEXT, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

interface Person {
  id: number;
  displayName: string | null;
  tz: string | null;
  identities: { source: string; count: number }[];
}

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

  it("admin lists everyone without e-mails", async () => {
    const response = await t.as("admin", { url: "/people" });
    expect(response.statusCode).toBe(200);
    const people = response.json<{ data: Person[] }>().data;
    expect(people.map((p) => p.id)).toContain(t.otherId);
    expect(people.find((p) => p.id === t.devId)).toEqual({ id: t.devId, displayName: null, tz: null, identities: [{ source: "wakatime", count: 1 }] });
    expect(people.find((p) => p.displayName === "Reporter")?.identities).toEqual([{ source: "jira", count: 1 }]);
    expect(response.body).not.toContain(TEST_EMAIL);
    expect(response.body).not.toContain(OTHER_EMAIL);
    expect(response.body).not.toContain("acc-9");
  });

  it("person lists only themselves", async () => {
    const response = await t.as("other", { url: "/people" });
    expect(response.json<{ data: Person[] }>().data.map((p) => p.id)).toEqual([t.otherId]);
  });

  it("people/me returns the key's person", async () => {
    await t.base.handle.store.people.setTimeZone(t.devId, "Europe/Berlin");
    const response = await t.as("dev", { url: "/people/me" });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ data: Person }>().data).toMatchObject({ id: t.devId, tz: "Europe/Berlin" });
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
});
