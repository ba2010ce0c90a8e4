import { describe, expect, it } from "vitest";
import { extractIssueKeys, maskIssueKeys } from "./issue-keys.js";

describe("extractIssueKeys", () => {
  it("finds keys in messages and branch names", () => {
    expect(extractIssueKeys("NUTCH-1238 Fetcher throughput, see NUTCH-7 and NUTCH-1238")).toEqual(["NUTCH-1238", "NUTCH-7"]);
    expect(extractIssueKeys("feature/PROJ-42-fix-parser")).toEqual(["PROJ-42"]);
  });

  it("reads lower-case branch keys of known projects only", () => {
    expect(extractIssueKeys("proj-42-fix", new Set(["PROJ"]))).toEqual(["PROJ-42"]);
    expect(extractIssueKeys("utf-8 and iso-8859", new Set(["PROJ"]))).toEqual([]);
  });

  it("ignores look-alikes", () => {
    expect(extractIssueKeys("UTF-8 SHA-256", new Set(["PROJ"]))).toEqual([]);
    expect(extractIssueKeys("XPROJ-0 and A-1")).toEqual([]);
  });
});

describe("maskIssueKeys", () => {
  it("hides keys and browse URLs", () => {
    const masked = maskIssueKeys("Fix NUTCH-12 (https://issues.apache.org/jira/browse/NUTCH-12) in parser");
    expect(masked).not.toMatch(/NUTCH/);
    expect(masked).toMatch(/Fix .* in parser/);
  });
});
