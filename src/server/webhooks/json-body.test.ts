import { describe, expect, it } from "vitest";
import { decodeJsonBody } from "./json-body.js";

describe("decodeJsonBody", () => {
  it("decodes UTF-8 JSON", () => {
    expect(decodeJsonBody(Buffer.from('{"zen":"Größe"}'))).toEqual({ ok: true, value: { zen: "Größe" } });
  });

  it("rejects an empty body", () => {
    expect(decodeJsonBody(Buffer.from(" "))).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) as unknown });
  });

  it("rejects a form-encoded body", () => {
    expect(decodeJsonBody(Buffer.from("payload=%7B%7D"))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/application\/json/) as unknown,
    });
  });

  it("rejects broken JSON without quoting it", () => {
    const result = decodeJsonBody(Buffer.from('{"secret-text": '));
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).not.toContain("secret-text");
  });
});
