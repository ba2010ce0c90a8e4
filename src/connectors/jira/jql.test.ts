import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { scopeJql, searchJql } from "./jql.js";

describe("scopeJql", () => {
  it("joins projects and an extra clause", () => {
    expect(scopeJql(["proj", "OPS", "PROJ"], "assignee = currentUser()")).toBe('project in ("PROJ", "OPS") AND (assignee = currentUser())');
  });

  it("is empty without filters", () => {
    expect(scopeJql([], undefined)).toBe("");
  });

  it("rejects a bad key and ORDER BY", () => {
    expect(() => scopeJql(['X") OR ("1'], undefined)).toThrow(WorklensError);
    expect(() => scopeJql([], "status = Done order by created")).toThrow("--jql must not contain ORDER BY");
  });
});

describe("searchJql", () => {
  const since = Date.UTC(2025, 2, 30, 0, 59, 59);

  it("writes the bound in the account's zone", () => {
    expect(searchJql("", since, "Europe/Berlin")).toBe('updated >= "2025-03-30 01:59" ORDER BY updated ASC');
    expect(searchJql("", since, "America/Los_Angeles")).toBe('updated >= "2025-03-29 17:59" ORDER BY updated ASC');
  });

  it("bounds a first sync", () => {
    expect(searchJql('project in ("P")', undefined, "UTC")).toBe('project in ("P") AND updated >= "1970-01-01 00:00" ORDER BY updated ASC');
  });

  it("rejects an unknown zone", () => {
    expect(() => searchJql("", since, "Mars/Base")).toThrow("is not a known zone");
  });
});
