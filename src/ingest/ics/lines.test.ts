import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unfoldLines } from "./lines.js";

const FOLD = Buffer.from("\r\n ");

/** Insert a fold (CRLF and a space) before each byte offset, in increasing order. */
function foldAt(bytes: Buffer, offsets: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const offset of [...new Set(offsets)].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(last, offset), FOLD);
    last = offset;
  }
  parts.push(bytes.subarray(last));
  return Buffer.concat(parts);
}

describe("unfoldLines", () => {
  it("joins a fold inside a multi-byte character", () => {
    const line = Buffer.from("SUMMARY:Grüße 🚀", "utf8");
    // Offset 11 falls between the two bytes of "ü"; offset 18 is inside the four bytes of the rocket.
    const folded = foldAt(line, [11, 18]);

    const { lines, warnings } = unfoldLines(folded, "x.ics");

    expect(lines).toEqual([{ text: "SUMMARY:Grüße 🚀", lineNumber: 1 }]);
    expect(warnings).toEqual([]);
  });

  it("accepts a tab as fold marker and LF line ends", () => {
    const { lines } = unfoldLines(Buffer.from("A:one\n\ttwo\nB:three\n"), "x.ics");

    expect(lines).toEqual([
      { text: "A:onetwo", lineNumber: 1 },
      { text: "B:three", lineNumber: 3 },
    ]);
  });

  it("warns once about invalid UTF-8 and keeps the line", () => {
    const bytes = Buffer.concat([Buffer.from("A:ok\r\nB:bad "), Buffer.from([0xc3, 0x28]), Buffer.from("\r\nC:bad "), Buffer.from([0xff]), Buffer.from("\r\n")]);

    const { lines, warnings } = unfoldLines(bytes, "x.ics");

    expect(lines.map((line) => line.text)).toEqual(["A:ok", "B:bad \uFFFD(", "C:bad \uFFFD"]);
    expect(warnings).toEqual([
      "x.ics: 2 line(s) contain invalid UTF-8 (first at line 2); the bad bytes were replaced with U+FFFD. Export the calendar as UTF-8 to keep those characters.",
    ]);
  });

  it("restores any text folded at any byte offsets", () => {
    const text = fc
      .string({ unit: "binary", minLength: 1, maxLength: 120 })
      .filter((value) => !/[\r\n]/.test(value) && !/[\uD800-\uDFFF]/u.test(value) && value.trim() !== "");
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (value, positions) => {
        const line = Buffer.from(`SUMMARY:${value}`, "utf8");
        const offsets = positions.map((position) => 1 + (position % (line.length - 1)));

        const { lines, warnings } = unfoldLines(foldAt(line, offsets), "x.ics");

        expect(lines.map((entry) => entry.text)).toEqual([`SUMMARY:${value}`]);
        expect(warnings).toEqual([]);
      }),
    );
  });
});
