import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { singleHeader, tokensEqual, verifyHmacSha256Header } from "./signature.js";

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from("Hello, World!");
// The secret, body and signature of GitHub's "Validating webhook deliveries" example.
const SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

function verify(header: string | undefined, body = BODY, secret = SECRET) {
  return verifyHmacSha256Header(body, header, secret, "X-Test-Signature");
}

describe("verifyHmacSha256Header", () => {
  it("accepts the documented example", () => {
    expect(verify(SIGNATURE)).toEqual({ ok: true });
  });

  it("accepts upper-case hex", () => {
    expect(verify(`sha256=${SIGNATURE.slice(7).toUpperCase()}`)).toEqual({ ok: true });
  });

  it("rejects a missing header", () => {
    const result = verify(undefined);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(/X-Test-Signature is missing/);
  });

  it("rejects an empty header", () => {
    expect(verify("  ")).toMatchObject({ ok: false, reason: expect.stringMatching(/is missing/) as unknown });
  });

  it("rejects a sha1 prefix", () => {
    const sha1 = `sha1=${createHmac("sha1", SECRET).update(BODY).digest("hex")}`;
    expect(verify(sha1)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not start with "sha256="/) as unknown });
  });

  it("rejects hex of the wrong length", () => {
    expect(verify(SIGNATURE.slice(0, -2))).toMatchObject({ ok: false, reason: expect.stringMatching(/64 hexadecimal digits/) as unknown });
  });

  it("rejects non-hex digits", () => {
    expect(verify(`${SIGNATURE.slice(0, -1)}g`)).toMatchObject({ ok: false, reason: expect.stringMatching(/64 hexadecimal digits/) as unknown });
  });

  it("rejects a changed body", () => {
    expect(verify(SIGNATURE, Buffer.from("Hello, World?"))).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) as unknown });
  });

  it("rejects another secret", () => {
    expect(verify(SIGNATURE, BODY, "another secret")).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) as unknown });
  });

  it("rejects an empty secret", () => {
    const empty = `sha256=${createHmac("sha256", "").update(BODY).digest("hex")}`;
    expect(verify(empty, BODY, "")).toMatchObject({ ok: false, reason: expect.stringMatching(/secret is empty/) as unknown });
  });

  it("never echoes the secret or the expected digest", () => {
    const expected = createHmac("sha256", "s3cr3t-value").update(BODY).digest("hex");
    const result = verifyHmacSha256Header(BODY, SIGNATURE, "s3cr3t-value", "X-Test-Signature");
    const reason = result.ok ? "" : result.reason;
    expect(reason).not.toContain("s3cr3t-value");
    expect(reason).not.toContain(expected);
  });

  it("accepts what it signed, for any body and secret", () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.string({ minLength: 1 }), (bytes, secret) => {
        const body = Buffer.from(bytes);
        const header = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
        return verifyHmacSha256Header(body, header, secret, "X").ok;
      }),
    );
  });
});

describe("tokensEqual", () => {
  it("matches the same token", () => {
    expect(tokensEqual("token-1", "token-1")).toBe(true);
  });

  it("rejects tokens of other lengths", () => {
    expect(tokensEqual("token", "token-1")).toBe(false);
    expect(tokensEqual("", "token-1")).toBe(false);
  });

  it("rejects a token differing in case", () => {
    expect(tokensEqual("TOKEN-1", "token-1")).toBe(false);
  });
});

describe("singleHeader", () => {
  it("returns a single value", () => {
    expect(singleHeader("a")).toBe("a");
    expect(singleHeader(["a"])).toBe("a");
  });

  it("treats repeated or absent headers as missing", () => {
    expect(singleHeader(["a", "b"])).toBeUndefined();
    expect(singleHeader([])).toBeUndefined();
    expect(singleHeader(undefined)).toBeUndefined();
  });
});
