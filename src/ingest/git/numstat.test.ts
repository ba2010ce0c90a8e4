import { describe, expect, it } from "vitest";
import { parseNumstatLine } from "./numstat.js";

describe("parseNumstatLine", () => {
  it("reads counts and path", () => {
    expect(parseNumstatLine("12\t3\tsrc/a.ts")).toEqual({ path: "src/a.ts", added: 12, deleted: 3 });
  });

  it("reads a binary file as no counts", () => {
    expect(parseNumstatLine("-\t-\tlib/hadoop.jar")).toEqual({ path: "lib/hadoop.jar", added: undefined, deleted: undefined });
  });

  it("keeps spaces and tabs of the path", () => {
    expect(parseNumstatLine("1\t0\tdocs/read me.md")?.path).toBe("docs/read me.md");
  });

  it.each([
    ["whole-name rename", "a.txt => b.txt", "b.txt"],
    ["directory rename", "src/plugin/{languageidentifier => language-identifier}/build.xml", "src/plugin/language-identifier/build.xml"],
    ["rename into a new subfolder", "src/{ => lib}/a.ts", "src/lib/a.ts"],
    ["rename out of a subfolder", "src/{lib => }/a.ts", "src/a.ts"],
    ["rename out of a top folder", "{lib => }/a.ts", "a.ts"],
    ["file name change in a folder", "src/{old.ts => new.ts}", "src/new.ts"],
    ["quoted rename", '"caf\\303\\251.txt" => "th\\303\\251.txt"', "thé.txt"],
    ["rename to a quoted name", 'plain.txt => "tab\\there.txt"', "tab\there.txt"],
  ])("resolves %s to the new path", (_name, field, expected) => {
    expect(parseNumstatLine(`0\t0\t${field}`)?.path).toBe(expected);
  });

  it("decodes quoted UTF-8 and C escapes", () => {
    expect(parseNumstatLine('1\t0\t"sp ace \\303\\251"')?.path).toBe("sp ace é");
    expect(parseNumstatLine('1\t0\t"a\\"b\\\\c\\nd"')?.path).toBe('a"b\\c\nd');
  });

  it("keeps raw UTF-8 inside quotes", () => {
    expect(parseNumstatLine('1\t0\t"é\\tx"')?.path).toBe("é\tx");
  });

  it("leaves arrows alone without renames", () => {
    expect(parseNumstatLine("1\t0\ta => b.txt", false)?.path).toBe("a => b.txt");
    expect(parseNumstatLine('1\t0\t"x\\ty" => z', false)).toBeUndefined();
  });

  it.each([
    ["no tabs", "12 3 src/a.ts"],
    ["one tab", "12\tsrc/a.ts"],
    ["empty path", "1\t2\t"],
    ["letters in counts", "1a\t2\tx"],
    ["binary on one side only", "-\t2\tx"],
    ["unterminated quote", '1\t2\t"abc'],
    ["bad escape", '1\t2\t"a\\q"'],
    ["empty count", "\t2\tx"],
  ])("rejects %s", (_name, line) => {
    expect(parseNumstatLine(line)).toBeUndefined();
  });
});
