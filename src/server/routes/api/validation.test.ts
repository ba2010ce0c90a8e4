import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { basicAuth } from "../../test-support/app.js";
import { openApiTestApp, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";

/** A value no message should ever contain; each test sends it somewhere a validation fails. */
const MARKER = "zq-secret-marker-4471";

describe.each(BACKENDS)("API validation on %s", (backend) => {
  let t: ApiTestApp;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
  });
  afterEach(async () => {
    // No response above returned the marker; the log must not hold it either.
    expect(t.logs()).not.toContain(MARKER);
    await t.close();
  });

  async function rejected(principal: "dev" | "admin", options: Parameters<ApiTestApp["as"]>[1]): Promise<{ error: string; hint?: string }> {
    const response = await t.as(principal, options);
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain(MARKER);
    return response.json<{ error: string; hint?: string }>();
  }

  it("query errors name path and rule", async () => {
    const body = await rejected("dev", { url: `/suggestions?from=${MARKER}&to=2025-03-12` });
    expect(body.error).toBe("invalid request: query.from: invalid_format (must be a calendar day as YYYY-MM-DD)");
    expect(body.hint).toContain("openapi.json");
  });

  it("missing query fields are named", async () => {
    const body = await rejected("dev", { url: "/worklogs" });
    expect(body.error).toBe(
      "invalid request: query.from: invalid_type (is required); query.to: invalid_type (is required)",
    );
  });

  it("impossible dates are rejected", async () => {
    for (const day of ["2025-02-29", "2025-04-31", "2025-13-01", "2025-3-1"]) {
      const body = await rejected("dev", { url: `/suggestions?from=2025-01-01&to=${day}` });
      expect(body.error).toBe("invalid request: query.to: invalid_format (must be a calendar day as YYYY-MM-DD)");
    }
    const leap = await t.as("dev", { url: "/suggestions?from=2024-02-29&to=2024-02-29" });
    expect(leap.statusCode).toBe(200);
  });

  it("enum errors list the allowed values only", async () => {
    const body = await rejected("admin", { url: `/worklogs?from=2025-03-10&to=2025-03-12&origin=${MARKER}` });
    expect(body.error).toBe('invalid request: query.origin: invalid_value (Invalid option: expected one of "jira"|"confirmed")');
  });

  it("number errors name the rule", async () => {
    const body = await rejected("admin", { url: `/suggestions?from=2025-03-10&to=2025-03-12&person=${MARKER}` });
    expect(body.error).toBe("invalid request: query.person: invalid_type (Invalid input: expected number, received NaN)");
    const zero = await rejected("admin", { url: "/suggestions?from=2025-03-10&to=2025-03-12&person=0" });
    expect(zero.error).toBe("invalid request: query.person: too_small (Too small: expected number to be >0)");
  });

  it("ranges over 366 days are rejected with a hint", async () => {
    const body = await rejected("dev", { url: "/suggestions?from=2024-01-01&to=2025-01-01" });
    expect(body).toEqual({
      error: "invalid range: 367 days from 2024-01-01 to 2025-01-01, more than the 366 days one request may cover",
      hint: "split the range into requests of at most 366 days each",
    });
    const longest = await t.as("dev", { url: "/suggestions?from=2024-01-01&to=2024-12-31" });
    expect(longest.statusCode).toBe(200);
  });

  it("an end before the start is rejected", async () => {
    const body = await rejected("dev", { url: "/reports/worklogs?from=2025-03-12&to=2025-03-10" });
    expect(body.error).toBe("invalid range: to is before from");
  });

  it("body errors name path and rule", async () => {
    const body = await rejected("dev", {
      method: "POST",
      url: "/suggestions/1:2025-03-10:1/edit",
      payload: { seconds: MARKER, comment: "", startedAt: MARKER, issueKey: MARKER },
    });
    expect(body.error).toBe(
      "invalid request: body.seconds: invalid_type (Invalid input: expected number, received string); " +
        "body.issueKey: invalid_format (expected a Jira issue key such as PROJ-42); " +
        "body.comment: too_small (Too small: expected string to have >=1 characters); " +
        "body.startedAt: invalid_format (must be an ISO 8601 date-time with a Z or numeric offset, such as 2025-03-10T09:00:00+01:00)",
    );
  });

  it("seconds outside a worklog's bounds are rejected", async () => {
    const short = await rejected("dev", { method: "POST", url: "/suggestions/1:2025-03-10:1/edit", payload: { seconds: 59 } });
    expect(short.error).toBe("invalid request: body.seconds: too_small (Too small: expected number to be >=60)");
    const long = await rejected("dev", { method: "POST", url: "/suggestions/1:2025-03-10:1/edit", payload: { seconds: 86_401 } });
    expect(long.error).toBe("invalid request: body.seconds: too_big (Too big: expected number to be <=86400)");
  });

  it("unknown body fields are rejected without their names", async () => {
    const body = await rejected("dev", { method: "POST", url: "/suggestions/bulk-accept", payload: { from: "2025-03-10", to: "2025-03-12", [MARKER]: true } });
    expect(body.error).toBe("invalid request: body: unrecognized_keys (remove the fields this route does not take)");
  });

  it("a start without an offset is rejected", async () => {
    const body = await rejected("dev", { method: "POST", url: "/suggestions/1:2025-03-10:1/edit", payload: { startedAt: "2025-03-10T09:00:00" } });
    expect(body.error).toBe("invalid request: body.startedAt: invalid_format (must be an ISO 8601 date-time with a Z or numeric offset, such as 2025-03-10T09:00:00+01:00)");
  });

  it("malformed suggestion ids are rejected", async () => {
    // The request log records the path, so this test sends a value of its own rather than the marker.
    const value = "zq-path-value-9120";
    const response = await t.as("dev", { method: "POST", url: `/suggestions/${value}/accept` });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain(value);
    const shape = response.json<{ error: string }>();
    expect(shape.error).toBe("invalid request: params.id: invalid_format (expected PERSON:YYYY-MM-DD:ISSUE or PERSON:YYYY-MM-DD:unlinked, the id field of GET /suggestions)");
    const day = await rejected("dev", { method: "POST", url: "/suggestions/1:2025-02-30:1/accept" });
    expect(day.error).toBe("invalid request: params.id: custom (the day in the id is not a calendar date)");
  });

  it("a body that is not JSON is rejected", async () => {
    const body = await rejected("dev", { method: "POST", url: "/suggestions/bulk-accept", headers: { "content-type": "application/json" }, payload: `{"from": "${MARKER}` });
    expect(body.error).toBe("request body is not valid JSON");
  });

  it("unknown API paths return 404 with a hint", async () => {
    const response = await t.as("dev", { url: "/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "not found", hint: "docs/api.md and GET /api/worklens/v1/openapi.json list the routes of the API" });
  });

  it("WakaTime routes keep their own behaviour", async () => {
    await seedSuggestions(t.base.handle.store);
    const bad = await t.app.inject({ method: "POST", url: "/api/v1/users/current/heartbeats", headers: { authorization: basicAuth(t.devKey), "content-type": "application/json" }, payload: { entity: MARKER } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: "missing time: a heartbeat needs time in epoch seconds" });
    const notJson = await t.app.inject({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: { authorization: basicAuth(t.devKey), "content-type": "application/json" }, payload: "[{" });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toEqual({ error: "request body is not valid JSON", hint: "send the body as JSON, as WakaTime plugins do" });
    const unknown = await t.app.inject({ url: "/api/nothing" });
    expect(unknown.json<{ hint: string }>().hint).toBe("the WakaTime API is under /api/v1; docs/server.md lists the endpoints");
  });
});
