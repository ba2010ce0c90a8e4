import { describe, expect, it } from "vitest";
import { parseGitlabTime } from "./time.js";

describe("parseGitlabTime", () => {
  it("reads ISO 8601 with an offset", () => {
    expect(parseGitlabTime("2025-03-10T08:15:00+01:00")).toEqual({ instant: Date.UTC(2025, 2, 10, 7, 15), offsetMinutes: 60 });
  });

  it("reads the Ruby form in UTC", () => {
    expect(parseGitlabTime("2013-12-03 17:23:34 UTC")).toEqual({ instant: Date.UTC(2013, 11, 3, 17, 23, 34), offsetMinutes: 0 });
  });

  it("reads the Ruby form with an offset", () => {
    expect(parseGitlabTime("2013-12-03 17:23:34 -0500")).toEqual({ instant: Date.UTC(2013, 11, 3, 22, 23, 34), offsetMinutes: -300 });
  });

  it("rejects text without an offset", () => {
    expect(parseGitlabTime("2013-12-03 17:23:34")).toBeUndefined();
    expect(parseGitlabTime("2013-12-03T17:23:34")).toBeUndefined();
  });

  it("rejects implausible years", () => {
    expect(parseGitlabTime("1970-01-01T00:00:00Z")).toBeUndefined();
  });
});
