import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adfToText } from "./adf.js";

const doc = (...content: unknown[]) => ({ type: "doc", version: 1, content });
const paragraph = (...content: unknown[]) => ({ type: "paragraph", content });
const text = (value: string, marks?: unknown[]) => ({ type: "text", text: value, ...(marks ? { marks } : {}) });
const listItem = (...content: unknown[]) => ({ type: "listItem", content });

describe("adfToText", () => {
  it("puts each paragraph on its own line", () => {
    expect(adfToText(doc(paragraph(text("first")), paragraph(text("second"))))).toBe("first\nsecond");
  });

  it("renders hard breaks as newlines", () => {
    expect(adfToText(doc(paragraph(text("a"), { type: "hardBreak" }, text("b"))))).toBe("a\nb");
  });

  it("renders inline nodes by their text", () => {
    const rendered = adfToText(
      doc(
        paragraph(
          { type: "mention", attrs: { id: "acc-1", text: "@Dev One" } },
          text(" "),
          { type: "emoji", attrs: { shortName: ":smile:", text: "😄" } },
          { type: "emoji", attrs: { shortName: ":custom-emoji:" } },
          text(" "),
          { type: "status", attrs: { text: "IN REVIEW", color: "blue" } },
          text(" "),
          { type: "date", attrs: { timestamp: "1741564800000" } },
        ),
      ),
    );
    expect(rendered).toBe("@Dev One 😄:custom-emoji: IN REVIEW 2025-03-10");
  });

  it("renders smart links as their URL", () => {
    const rendered = adfToText(
      doc(
        paragraph(text("see "), { type: "inlineCard", attrs: { url: "https://example.atlassian.net/browse/PROJ-41" } }),
        { type: "blockCard", attrs: { url: "https://example.com/design" } },
        { type: "embedCard", attrs: { data: { url: "https://example.com/embed" } } },
      ),
    );
    expect(rendered).toBe("see https://example.atlassian.net/browse/PROJ-41\nhttps://example.com/design\nhttps://example.com/embed");
  });

  it("adds a link target the text hides", () => {
    const link = (href: string) => [{ type: "link", attrs: { href } }];
    const rendered = adfToText(doc(paragraph(text("this ticket", link("https://example.atlassian.net/browse/PROJ-7")), text(" and "), text("https://example.com", link("https://example.com")))));
    expect(rendered).toBe("this ticket (https://example.atlassian.net/browse/PROJ-7) and https://example.com");
  });

  it("keeps code blocks verbatim", () => {
    const rendered = adfToText(doc(paragraph(text("run:")), { type: "codeBlock", attrs: { language: "bash" }, content: [text("git log\n  --format=%aI")] }));
    expect(rendered).toBe("run:\ngit log\n  --format=%aI");
  });

  it("renders table rows on one line each", () => {
    const cell = (type: string, ...content: unknown[]) => ({ type, content });
    const row = (...cells: unknown[]) => ({ type: "tableRow", content: cells });
    const table = {
      type: "table",
      content: [
        row(cell("tableHeader", paragraph(text("Branch"))), cell("tableHeader", paragraph(text("Owner")))),
        row(cell("tableCell", paragraph(text("PROJ-42-fix")), paragraph(text("second line"))), cell("tableCell", paragraph(text("Dev One")))),
      ],
    };
    expect(adfToText(doc(paragraph(text("before")), table, paragraph(text("after"))))).toBe("before\nBranch | Owner\nPROJ-42-fix second line | Dev One\nafter");
  });

  it("renders bullet, ordered and nested lists", () => {
    const list = {
      type: "bulletList",
      content: [
        listItem(paragraph(text("one")), { type: "orderedList", attrs: { order: 3 }, content: [listItem(paragraph(text("three"))), listItem(paragraph(text("four")))] }),
        listItem(paragraph(text("two"))),
      ],
    };
    expect(adfToText(doc(list))).toBe("- one\n  3. three\n  4. four\n- two");
  });

  it("renders task lists with their state", () => {
    const tasks = {
      type: "taskList",
      content: [
        { type: "taskItem", attrs: { state: "DONE" }, content: [text("write parser")] },
        { type: "taskItem", attrs: { state: "TODO" }, content: [text("write tests")] },
      ],
    };
    expect(adfToText(doc(tasks))).toBe("[x] write parser\n[ ] write tests");
  });

  it("renders panels, expands and quotes as blocks", () => {
    const rendered = adfToText(
      doc(
        { type: "panel", attrs: { panelType: "info" }, content: [paragraph(text("note"))] },
        { type: "expand", attrs: { title: "Details" }, content: [paragraph(text("hidden"))] },
        { type: "blockquote", content: [paragraph(text("quoted"))] },
        { type: "heading", attrs: { level: 2 }, content: [text("Title")] },
        { type: "rule" },
        paragraph(text("end")),
      ),
    );
    expect(rendered).toBe("note\nDetails\nhidden\nquoted\nTitle\nend");
  });

  it("renders media by its alt text only", () => {
    const media = (alt?: string) => ({ type: "media", attrs: { id: "abc", type: "file", collection: "c", ...(alt === undefined ? {} : { alt }) } });
    const rendered = adfToText(doc({ type: "mediaSingle", content: [media("stack trace screenshot")] }, { type: "mediaGroup", content: [media()] }, paragraph(text("after"))));
    expect(rendered).toBe("stack trace screenshot\nafter");
  });

  it("descends into unknown node types", () => {
    const rendered = adfToText(doc({ type: "unknownFutureNode", attrs: { x: 1 }, content: [text("keep me")] }, { type: "futureBlock", content: [paragraph(text("and me"))] }));
    expect(rendered).toBe("keep me\nand me");
  });

  it("ignores values that are not nodes", () => {
    expect(adfToText(null)).toBe("");
    expect(adfToText("plain")).toBe("");
    expect(adfToText(doc(null, 42, "x", [text("in array")], { content: "not a list" }, paragraph(text("ok"))))).toBe("ok");
    expect(adfToText(doc(paragraph({ type: "text", text: 5 }, { type: "emoji", attrs: "x" }, { type: "date", attrs: { timestamp: "1e300" } })))).toBe("");
  });

  it("survives deep nesting", () => {
    let node: unknown = text("deep");
    for (let i = 0; i < 100_000; i += 1) node = { type: "blockquote", content: [node] };
    expect(adfToText(node)).toBe("deep");
  });

  it("survives a cycle", () => {
    const loop: { type: string; content: unknown[] } = { type: "paragraph", content: [text("once")] };
    loop.content.push(loop);
    expect(adfToText(loop)).toBe("once");
  });
});

const KNOWN_TYPES = [
  "doc", "paragraph", "heading", "blockquote", "codeBlock", "panel", "expand", "nestedExpand", "table", "tableRow",
  "tableHeader", "tableCell", "bulletList", "orderedList", "taskList", "taskItem", "decisionList", "decisionItem",
  "listItem", "mediaSingle", "mediaGroup", "media", "mention", "emoji", "status", "date", "inlineCard", "blockCard",
  "embedCard", "hardBreak", "rule", "layoutSection", "layoutColumn", "extension", "placeholder", "text",
];

interface Tree {
  node: unknown;
  leaves: string[];
}

/** Random ADF-like trees: known and unknown node types, junk attrs, junk children, and the text leaves they contain. */
const treeArbitrary = fc.letrec<{ tree: Tree; leaf: Tree; junk: Tree; container: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), tie("junk"), tie("container")),
  leaf: fc.string({ unit: "grapheme", minLength: 1 }).map((value) => ({ node: { type: "text", text: value }, leaves: [value] })),
  junk: fc.oneof(
    fc.anything().map((value) => ({ node: value, leaves: [] })),
    fc.record({ type: fc.constantFrom(...KNOWN_TYPES), attrs: fc.anything() }).map((value) => ({ node: value, leaves: [] })),
  ),
  container: fc
    .record({
      type: fc.oneof(fc.constantFrom(...KNOWN_TYPES), fc.string()),
      attrs: fc.option(fc.dictionary(fc.constantFrom("text", "url", "shortName", "timestamp", "order", "state", "title", "alt"), fc.anything())),
      children: fc.array(tie("tree"), { maxLength: 4 }),
    })
    .map(({ type, attrs, children }) => ({
      node: { type, ...(attrs === null ? {} : { attrs }), content: children.map((child) => child.node) },
      leaves: children.flatMap((child) => child.leaves),
    })),
}));

describe("adfToText properties", () => {
  it("never throws on random trees", () => {
    fc.assert(
      fc.property(fc.oneof(treeArbitrary.tree.map((t) => t.node), fc.anything()), (node) => {
        expect(typeof adfToText(node)).toBe("string");
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every text leaf", () => {
    fc.assert(
      fc.property(treeArbitrary.container, ({ node, leaves }) => {
        const rendered = adfToText(node);
        for (const leaf of leaves) expect(rendered).toContain(leaf);
      }),
      { numRuns: 500 },
    );
  });
});
