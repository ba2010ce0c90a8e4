import { describe, expect, it } from "vitest";
import { presentedSecrets } from "./credentials.js";

const KEY = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab";
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("presentedSecrets", () => {
  it("decodes Basic base64(key) as wakatime-cli sends it", () => {
    expect(presentedSecrets(`Basic ${base64(KEY)}`, undefined)[0]).toBe(KEY);
  });

  it("tries both sides of a colon", () => {
    expect(presentedSecrets(`Basic ${base64(`${KEY}:`)}`, undefined)).toContain(KEY);
    expect(presentedSecrets(`Basic ${base64(`user:${KEY}`)}`, undefined)[0]).toBe(KEY);
  });

  it("takes Bearer key, plain or base64", () => {
    expect(presentedSecrets(`Bearer ${KEY}`, undefined)).toEqual([KEY]);
    expect(presentedSecrets(`bearer ${base64(KEY)}`, undefined)).toContain(KEY);
  });

  it("falls back to ?api_key=", () => {
    expect(presentedSecrets(undefined, KEY)).toEqual([KEY]);
    expect(presentedSecrets("", ` ${KEY} `)).toEqual([KEY]);
  });

  it("prefers the header to the query", () => {
    expect(presentedSecrets(`Bearer ${KEY}`, "other")).toEqual([KEY]);
  });

  it("yields nothing for junk", () => {
    for (const header of ["Basic", "Basic !!!", "Basic ====", `Digest ${KEY}`, KEY, `Basic ${base64("\u0001\u0002")}`]) {
      expect(presentedSecrets(header, undefined), header).toEqual([]);
    }
    expect(presentedSecrets(undefined, ["a", "b"])).toEqual([]);
    expect(presentedSecrets(undefined, undefined)).toEqual([]);
  });
});
