import { describe, expect, it } from "vitest";
import { jiraAuthorization } from "./credentials.js";

describe("jiraAuthorization", () => {
  it("builds Basic for Cloud", () => {
    const header = jiraAuthorization("cloud", { WORKLENS_JIRA_EMAIL: "a@example.com", WORKLENS_JIRA_API_TOKEN: "t" });
    expect(header).toBe(`Basic ${Buffer.from("a@example.com:t").toString("base64")}`);
  });

  it("builds Bearer for Data Center", () => {
    expect(jiraAuthorization("data-center", { WORKLENS_JIRA_PAT: "p" })).toBe("Bearer p");
  });

  it("names the missing variable", () => {
    expect(() => jiraAuthorization("cloud", { WORKLENS_JIRA_API_TOKEN: "t" })).toThrow("WORKLENS_JIRA_EMAIL is not set");
    expect(() => jiraAuthorization("data-center", { WORKLENS_JIRA_PAT: " " })).toThrow("WORKLENS_JIRA_PAT is not set");
  });
});
