import { describe, expect, it } from "vitest";
import { gitlabDeliveryId, verifyGitlabToken } from "./verify.js";

describe("verifyGitlabToken", () => {
  it("accepts the configured token", () => {
    expect(verifyGitlabToken("t0ken", "t0ken")).toEqual({ ok: true });
  });

  it("rejects a missing token", () => {
    expect(verifyGitlabToken(undefined, "t0ken")).toEqual({ ok: false, reason: "X-Gitlab-Token is missing: set the secret token on the GitLab webhook" });
  });

  it("rejects another token without echoing either", () => {
    const result = verifyGitlabToken("guess", "t0ken");
    expect(result.ok).toBe(false);
    const reason = result.ok ? "" : result.reason;
    expect(reason).not.toContain("guess");
    expect(reason).not.toContain("t0ken");
  });

  it("rejects a prefix of the token", () => {
    expect(verifyGitlabToken("t0ke", "t0ken").ok).toBe(false);
  });

  it("rejects an empty secret", () => {
    expect(verifyGitlabToken("", "").ok).toBe(false);
  });
});

describe("gitlabDeliveryId", () => {
  it("prefers Idempotency-Key", () => {
    expect(gitlabDeliveryId("key", "uuid")).toBe("key");
  });

  it("falls back to X-Gitlab-Event-UUID", () => {
    expect(gitlabDeliveryId(undefined, "uuid")).toBe("uuid");
    expect(gitlabDeliveryId(" ", "uuid")).toBe("uuid");
    expect(gitlabDeliveryId(undefined, undefined)).toBeUndefined();
  });
});
