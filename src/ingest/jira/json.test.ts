import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { decodeJson } from "./json.js";
import { findJsonSyntaxError, lineAndColumn } from "./json-syntax.js";

function decodeError(bytes: Buffer | string): WorklensError {
  try {
    decodeJson(bytes, "export.json");
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("decodeJson accepted the input");
}

describe("decodeJson", () => {
  it("reads UTF-8 with or without a byte order mark", () => {
    expect(decodeJson(Buffer.from('{"summary":"Größe 漢字"}'), "a.json")).toEqual({ summary: "Größe 漢字" });
    expect(decodeJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("[1]")]), "a.json")).toEqual([1]);
    expect(decodeJson("\uFEFF[2]", "a.json")).toEqual([2]);
  });

  it("names the position of truncated JSON", () => {
    const error = decodeError('{\n  "issues": [\n    {"id": "1", "key": "PROJ-1"');
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("export.json");
    expect(error.message).toContain("line 3, column 32 (character 47)");
    expect(error.message).toContain("truncated");
  });

  it("names the position of a syntax error", () => {
    const error = decodeError('{"issues": [1, 2,, 3]}');
    expect(error.message).toBe("export.json: invalid JSON at line 1, column 18 (character 17)");
  });

  it("never quotes the content", () => {
    const error = decodeError('{"token": "secret-value" x}');
    expect(error.message).not.toContain("secret-value");
    expect(error.hint).not.toContain("secret-value");
  });

  it("rejects content that is not JSON", () => {
    expect(decodeError("key,summary\nPROJ-1,Crash").message).toContain("the file is not JSON");
    expect(decodeError("<!DOCTYPE html><html>").message).toContain("HTML");
    expect(decodeError("  \n").message).toContain("empty");
  });

  it("rejects UTF-16", () => {
    expect(decodeError(Buffer.from("\uFEFF{}", "utf16le")).message).toContain("UTF-16");
    expect(decodeError(Buffer.from("{}", "utf16le")).message).toContain("UTF-16");
  });

  it("names the first byte that is not UTF-8", () => {
    const latin1 = Buffer.from('{"summary": "Gr\u00f6\u00dfe"}', "latin1");
    const error = decodeError(latin1);
    expect(error.message).toContain("not valid UTF-8 (first invalid byte at offset 15)");
    expect(error.hint).toContain("iconv");
  });
});

describe("findJsonSyntaxError", () => {
  it("accepts valid JSON", () => {
    for (const text of ["{}", "[]", " 1 ", '"x"', "true", "null", '{"a": [1, -2.5e3, {"b": "\\u00e9\\n"}]}']) {
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it("finds errors where JSON.parse fails", () => {
    expect(findJsonSyntaxError("{")).toBe(1);
    expect(findJsonSyntaxError('{"a" 1}')).toBe(5);
    expect(findJsonSyntaxError("[1,]")).toBe(3);
    expect(findJsonSyntaxError("[01]")).toBe(2);
    expect(findJsonSyntaxError("[tru")).toBe(4);
    expect(findJsonSyntaxError('"\\x"')).toBe(1);
    expect(findJsonSyntaxError("{} {}")).toBe(3);
  });

  it("agrees with JSON.parse on cut and changed JSON", () => {
    const changed = fc.tuple(fc.json({ depthSize: "small" }), fc.nat(), fc.nat(), fc.constantFrom("", ",", "]", "}", '"', ":", "x", "\\", "\n"));
    fc.assert(
      fc.property(changed, ([json, cutAt, insertAt, insert]) => {
        const cut = json.slice(0, cutAt % (json.length + 1));
        const position = insertAt % (cut.length + 1);
        const text = cut.slice(0, position) + insert + cut.slice(position);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("lineAndColumn", () => {
  it("counts from one", () => {
    expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
