import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyJiraSignature } from "./verify.js";

const SECRET = "jira-webhook-secret";
const BODY = Buffer.from('{"webhookEvent":"jira:issue_updated"}');

describe("verifyJiraSignature", () => {
  it("accepts the HMAC-SHA256 of the body", () => {
    const header = `sha256=${createHmac("sha256", SECRET).update(BODY).digest("hex")}`;
    expect(verifyJiraSignature(BODY, header, SECRET)).toEqual({ ok: true });
  });

  it("names X-Hub-Signature when it is missing", () => {
    const result = verifyJiraSignature(BODY, undefined, SECRET);
    expect(result.ok ? "" : result.reason).toMatch(/^X-Hub-Signature is missing/);
  });

  it("rejects a signature keyed with another secret", () => {
    const header = `sha256=${createHmac("sha256", "other").update(BODY).digest("hex")}`;
    expect(verifyJiraSignature(BODY, header, SECRET).ok).toBe(false);
  });
});
