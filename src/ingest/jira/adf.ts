/**
 * Plain text of an Atlassian Document Format (ADF) tree, the rich-text format of Jira
 * Cloud's REST API v3 (descriptions, comment bodies, worklog comments).
 *
 * The walk renders the node types of the ADF schema that carry text: mentions, emoji,
 * smart links, status lozenges, dates, tables, lists and code. It descends into the
 * `content` of every node, known or not, so text inside node types added to ADF later
 * is kept. It uses an explicit stack instead of recursion, so a deeply nested tree
 * cannot overflow the call stack, and it never throws on malformed nodes.
 */

interface WalkContext {
  /** Nesting depth of bullet, ordered, task and decision lists. */
  listDepth: number;
  /** Inside a table cell, block breaks become spaces so a table row stays on one line. */
  inCell: boolean;
}

type Token =
  | { kind: "node"; node: unknown; context: WalkContext }
  | { kind: "text"; text: string }
  /** A list marker or indent: starts a line without counting as content of that line. */
  | { kind: "marker"; text: string }
  /** End of a block: the next content starts on a new line. */
  | { kind: "break" }
  /** Word gap between blocks inside a table cell. */
  | { kind: "space" };

const ROOT_CONTEXT: WalkContext = { listDepth: 0, inCell: false };
const BREAK: Token = { kind: "break" };
const SPACE: Token = { kind: "space" };
const CELL_SEPARATOR = " | ";
const LIST_TYPES = new Set(["bulletList", "orderedList", "taskList", "decisionList"]);
const BLOCK_TYPES = new Set(["paragraph", "heading", "blockquote", "codeBlock", "panel", "mediaSingle", "mediaGroup", "caption", "layoutSection", "layoutColumn", "bodiedExtension", "blockTaskItem"]);
const CARD_TYPES = new Set(["inlineCard", "blockCard", "embedCard"]);
/** ADF date nodes hold milliseconds since the epoch; Date supports at most 8.64e15 ms either side. */
const MAX_DATE_MS = 8.64e15;

/** Renders an ADF node (usually a `doc`) as plain text, one block per line. Values that are not nodes render as "". */
export function adfToText(document: unknown): string {
  const writer = new TextWriter();
  const seen = new WeakSet<object>();
  const stack: Token[] = [{ kind: "node", node: document, context: ROOT_CONTEXT }];

  for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
    if (token.kind !== "node") {
      writer.write(token);
      continue;
    }
    const node = token.node;
    // A tree built in code (not parsed from JSON) could contain a cycle.
    if (!isRecord(node) || seen.has(node)) continue;
    seen.add(node);
    const tokens = expandNode(node, token.context);
    for (let i = tokens.length - 1; i >= 0; i -= 1) {
      const next = tokens[i];
      if (next !== undefined) stack.push(next);
    }
  }
  return writer.result();
}

/** Expands a node into tokens: its own text, its children, and the separators around them. */
function expandNode(node: Record<string, unknown>, context: WalkContext): Token[] {
  const type = typeof node["type"] === "string" ? node["type"] : "";
  const attrs = isRecord(node["attrs"]) ? node["attrs"] : {};
  const children = Array.isArray(node["content"]) ? node["content"] : [];
  const blockBreak = context.inCell ? SPACE : BREAK;
  const childTokens = (childContext: WalkContext = context): Token[] =>
    children.map((child: unknown) => ({ kind: "node", node: child, context: childContext }));

  if (LIST_TYPES.has(type)) return expandList(type, attrs, children, context);
  if (type === "table") return [blockBreak, ...children.flatMap((row: unknown): Token[] => [{ kind: "node", node: row, context }, blockBreak])];
  if (type === "tableRow") return expandRow(children, context);
  if (type === "expand" || type === "nestedExpand") {
    return [blockBreak, ...textToken(attrs["title"]), blockBreak, ...childTokens(), blockBreak];
  }
  if (BLOCK_TYPES.has(type) || type === "rule") return [blockBreak, ...childTokens(), blockBreak];
  return [...inlineTokens(type, node, attrs, context), ...childTokens()];
}

/** Own text of inline and leaf nodes; unknown types have none, only children. */
function inlineTokens(type: string, node: Record<string, unknown>, attrs: Record<string, unknown>, context: WalkContext): Token[] {
  switch (type) {
    case "text":
      return [...textToken(node["text"]), ...linkTokens(node)];
    case "hardBreak":
      return [{ kind: "text", text: "\n" }];
    case "mention":
    case "status":
      return textToken(attrs["text"]);
    case "emoji":
      return textToken(typeof attrs["text"] === "string" && attrs["text"] !== "" ? attrs["text"] : attrs["shortName"]);
    case "date":
      return textToken(isoDate(attrs["timestamp"]));
    case "media":
    case "mediaInline":
      return textToken(attrs["alt"]);
    default:
      if (CARD_TYPES.has(type)) {
        const data = isRecord(attrs["data"]) ? attrs["data"] : {};
        const url = textToken(attrs["url"] ?? data["url"]);
        return type === "inlineCard" || context.inCell ? url : [BREAK, ...url, BREAK];
      }
      return [];
  }
}

function expandList(type: string, attrs: Record<string, unknown>, children: unknown[], context: WalkContext): Token[] {
  const itemContext: WalkContext = { ...context, listDepth: context.listDepth + 1 };
  const indent = "  ".repeat(context.listDepth);
  const first = typeof attrs["order"] === "number" && Number.isInteger(attrs["order"]) ? attrs["order"] : 1;
  const tokens: Token[] = [context.inCell ? SPACE : BREAK];

  children.forEach((item, index) => {
    tokens.push({ kind: "marker", text: `${indent}${listMarker(type, item, first + index)}` });
    tokens.push({ kind: "node", node: item, context: itemContext });
    tokens.push(context.inCell ? SPACE : BREAK);
  });
  return tokens;
}

function listMarker(listType: string, item: unknown, number: number): string {
  if (listType === "orderedList") return `${number}. `;
  if (listType === "taskList") {
    const state = isRecord(item) && isRecord(item["attrs"]) ? item["attrs"]["state"] : undefined;
    return state === "DONE" ? "[x] " : "[ ] ";
  }
  return "- ";
}

function expandRow(cells: unknown[], context: WalkContext): Token[] {
  const cellContext: WalkContext = { ...context, inCell: true };
  const tokens: Token[] = [];
  cells.forEach((cell, index) => {
    if (index > 0) tokens.push({ kind: "text", text: CELL_SEPARATOR });
    tokens.push({ kind: "node", node: cell, context: cellContext });
  });
  return tokens;
}

/** Renders the target of a link mark when the link text does not show it, because issue keys often hide there. */
function linkTokens(node: Record<string, unknown>): Token[] {
  const marks = Array.isArray(node["marks"]) ? node["marks"] : [];
  for (const mark of marks) {
    if (!isRecord(mark) || mark["type"] !== "link" || !isRecord(mark["attrs"])) continue;
    const href = mark["attrs"]["href"];
    if (typeof href === "string" && href !== "" && href !== node["text"]) return [{ kind: "text", text: ` (${href})` }];
  }
  return [];
}

function textToken(value: unknown): Token[] {
  return typeof value === "string" && value !== "" ? [{ kind: "text", text: value }] : [];
}

/** ADF `date` nodes store UTC midnight in epoch milliseconds, as a string or a number. */
function isoDate(timestamp: unknown): string | undefined {
  const ms = typeof timestamp === "string" && timestamp.trim() !== "" ? Number(timestamp) : timestamp;
  if (typeof ms !== "number" || !Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return undefined;
  return new Date(ms).toISOString().slice(0, 10);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Joins tokens into text. Breaks and spaces are deferred until more content follows,
 * so the result has no leading or trailing blank lines, no doubled separators, and
 * the text of every leaf unchanged.
 */
class TextWriter {
  private readonly chunks: string[] = [];
  private lineHasContent = false;
  private pendingBreak = false;
  private pendingSpace = false;

  write(token: Exclude<Token, { kind: "node" }>): void {
    switch (token.kind) {
      case "break":
        if (this.lineHasContent) this.pendingBreak = true;
        this.pendingSpace = false;
        return;
      case "space":
        if (this.lineHasContent && !this.pendingBreak && !/\s$/u.test(this.chunks.at(-1) ?? "")) this.pendingSpace = true;
        return;
      case "marker":
        this.flushSeparators(token.text);
        this.chunks.push(token.text);
        this.lineHasContent = false;
        return;
      case "text":
        if (token.text === "") return;
        this.flushSeparators(token.text);
        this.chunks.push(token.text);
        this.lineHasContent = !token.text.endsWith("\n");
        return;
    }
  }

  result(): string {
    return this.chunks.join("");
  }

  /** Writes a deferred break, or a deferred space unless the next text starts with whitespace itself. */
  private flushSeparators(next: string): void {
    if (this.pendingBreak) {
      this.chunks.push("\n");
      this.lineHasContent = false;
    } else if (this.pendingSpace && !/^\s/u.test(next)) {
      this.chunks.push(" ");
    }
    this.pendingBreak = false;
    this.pendingSpace = false;
  }
}
