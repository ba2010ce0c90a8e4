import { describe, expect, it } from "vitest";
import { verifyGithubSignature } from "./verify.js";

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from("Hello, World!");
// The secret, body and signature of GitHub's "Validating webhook deliveries" example.
const SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

describe("verifyGithubSignature", () => {
  it("accepts GitHub's documented example", () => {
    expect(verifyGithubSignature(BODY, SIGNATURE, SECRET)).toEqual({ ok: true });
  });

  it("names X-Hub-Signature-256 when it is missing", () => {
    expect(verifyGithubSignature(BODY, undefined, SECRET)).toEqual({
      ok: false,
      reason: "X-Hub-Signature-256 is missing: set a secret on the webhook so the sender signs its deliveries",
    });
  });

  it("rejects a tampered body", () => {
    expect(verifyGithubSignature(Buffer.from("Hello, World!\n"), SIGNATURE, SECRET).ok).toBe(false);
  });
});
