/**
 * Offset of the first JSON syntax error in a text, or undefined when the text is one
 * valid JSON value (RFC 8259). Node 20's JSON.parse names no position for most errors
 * and quotes the input in its message, so the importer locates the error with this
 * scanner instead. It uses an explicit stack, so deep nesting cannot overflow.
 */
export function findJsonSyntaxError(text: string): number | undefined {
  const containers: ("object" | "array")[] = [];
  let state: "value" | "key" | "colon" | "after" = "value";
  let i = skipWhitespace(text, 0);

  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= text.length && !(state === "after" && containers.length === 0)) return text.length;
    const char = text[i];

    if (state === "value") {
      if (char === "{" || char === "[") {
        const close = char === "{" ? "}" : "]";
        const next = skipWhitespace(text, i + 1);
        if (text[next] === close) {
          i = next + 1;
          state = "after";
        } else {
          containers.push(char === "{" ? "object" : "array");
          i += 1;
          state = char === "{" ? "key" : "value";
        }
        continue;
      }
      const end = scanScalar(text, i);
      if (end === undefined) return i;
      if (typeof end === "object") return end.errorAt;
      i = end;
      state = "after";
      continue;
    }

    if (state === "key") {
      if (char !== '"') return i;
      const end = scanString(text, i);
      if (typeof end === "object") return end.errorAt;
      i = end;
      state = "colon";
      continue;
    }

    if (state === "colon") {
      if (char !== ":") return i;
      i += 1;
      state = "value";
      continue;
    }

    const top = containers.at(-1);
    if (top === undefined) return i >= text.length ? undefined : i;
    if (char === ",") {
      i += 1;
      state = top === "object" ? "key" : "value";
    } else if ((top === "object" && char === "}") || (top === "array" && char === "]")) {
      containers.pop();
      i += 1;
    } else {
      return i;
    }
  }
}

/** Line and column (both from 1) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ["true", "false", "null"] as const;

/** End offset of the string, number or literal at `start`; undefined when none starts there. */
function scanScalar(text: string, start: number): number | { errorAt: number } | undefined {
  const char = text[start];
  if (char === '"') return scanString(text, start);
  if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
    NUMBER.lastIndex = start;
    return NUMBER.test(text) ? NUMBER.lastIndex : { errorAt: Math.min(start + 1, text.length) };
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, start)) return start + literal.length;
    // A literal cut off by the end of the file, such as "tr", is a truncation.
    if (literal.startsWith(text.slice(start)) && start < text.length) return { errorAt: text.length };
  }
  return undefined;
}

const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

function scanString(text: string, start: number): number | { errorAt: number } {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (char === '"') return i + 1;
    if (char < " ") return { errorAt: i };
    if (char === "\\") {
      const escape = text[i + 1];
      if (escape === undefined) return { errorAt: text.length };
      if (escape === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (hex.length < 4 && i + 2 + hex.length === text.length && /^[0-9a-fA-F]*$/.test(hex)) return { errorAt: text.length };
        if (!HEX4.test(hex)) return { errorAt: i };
        i += 6;
        continue;
      }
      if (!ESCAPES.has(escape)) return { errorAt: i };
      i += 2;
      continue;
    }
    i += 1;
  }
  return { errorAt: text.length };
}

function skipWhitespace(text: string, start: number): number {
  let i = start;
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i += 1;
  return i;
}
