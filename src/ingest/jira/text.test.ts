import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { abbreviate, richText, truncateGraphemes } from "./text.js";

const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
const clusters = (text: string): string[] => [...graphemes.segment(text)].map((s) => s.segment);

describe("truncateGraphemes", () => {
  it("keeps a ZWJ sequence whole", () => {
    const text = "dev 👩‍💻 done";
    expect(truncateGraphemes(text, 5)).toBe("dev 👩‍💻");
    expect(truncateGraphemes(text, 4)).toBe("dev ");
  });

  it("keeps flags and combining marks whole", () => {
    expect(truncateGraphemes("🇩🇪🇯🇵", 1)).toBe("🇩🇪");
    expect(truncateGraphemes("e\u0301e\u0301", 1)).toBe("e\u0301");
  });

  it("returns short text unchanged", () => {
    expect(truncateGraphemes("漢字", 2)).toBe("漢字");
    expect(truncateGraphemes("", 3)).toBe("");
  });

  it("returns nothing for a max of zero or less", () => {
    expect(truncateGraphemes("abc", 0)).toBe("");
    expect(truncateGraphemes("abc", -1)).toBe("");
  });

  it("cuts to a prefix of whole clusters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.nat(50), (text, max) => {
        const cut = truncateGraphemes(text, max);
        const all = clusters(text);
        expect(text.startsWith(cut)).toBe(true);
        expect(clusters(cut)).toEqual(all.slice(0, max));
      }),
    );
  });
});

describe("abbreviate", () => {
  it("ends a cut text with an ellipsis", () => {
    expect(abbreviate("In Progress", 5)).toBe("In P…");
    expect(abbreviate("Done", 5)).toBe("Done");
    expect(abbreviate("ab👩‍💻cd", 4)).toBe("ab👩‍💻…");
  });
});

describe("richText", () => {
  it("reads v2 strings and v3 documents", () => {
    expect(richText("plain text")).toBe("plain text");
    expect(richText(null)).toBe("");
    expect(richText(undefined)).toBe("");
    expect(richText({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "adf" }] }] })).toBe("adf");
  });
});
