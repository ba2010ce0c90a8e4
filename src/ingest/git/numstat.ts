/** One line of `git log --numstat`: "added<TAB>deleted<TAB>path". */
export interface NumstatEntry {
  /** Path after the commit, which for a rename is the new path. */
  path: string;
  /** Line counts, undefined for a binary file (git prints "-"). */
  added: number | undefined;
  deleted: number | undefined;
}

const RENAME_ARROW = " => ";

/**
 * Parses one numstat line. Returns undefined when the line is not one.
 *
 * With `renames` on, rename forms are resolved to the new path: "old => new",
 * "src/{old => new}/file" and, when a name needs quoting, "\"old\" => \"new\"".
 * Turn it off for output of `--no-renames`, where " => " can only be part of a file name.
 */
export function parseNumstatLine(line: string, renames = true): NumstatEntry | undefined {
  const firstTab = line.indexOf("\t");
  if (firstTab <= 0) return undefined;
  const secondTab = line.indexOf("\t", firstTab + 1);
  if (secondTab < 0 || secondTab === line.length - 1) return undefined;

  const added = parseCount(line.slice(0, firstTab));
  const deleted = parseCount(line.slice(firstTab + 1, secondTab));
  if (added === null || deleted === null) return undefined;
  if ((added === undefined) !== (deleted === undefined)) return undefined;

  const path = decodePath(line.slice(secondTab + 1), renames);
  if (path === undefined || path === "") return undefined;
  return { path, added, deleted };
}

/**
 * Parses one line of `git log --name-only --no-renames`: a path, C-quoted when core.quotePath
 * applies. Returns undefined when the line is not one.
 */
export function parseNameOnlyLine(line: string): string | undefined {
  if (line === "") return undefined;
  const path = decodePath(line, false);
  return path === "" ? undefined : path;
}

/** Parses a count field: digits, or "-" for binary (undefined). Returns null when malformed. */
function parseCount(field: string): number | undefined | null {
  if (field === "-") return undefined;
  if (field.length === 0 || field.length > 15) return null;
  for (let i = 0; i < field.length; i += 1) {
    const code = field.charCodeAt(i);
    if (code < 48 || code > 57) return null;
  }
  return Number(field);
}

function decodePath(field: string, renames: boolean): string | undefined {
  if (field.startsWith('"')) {
    const first = readQuoted(field, 0);
    if (first === undefined) return undefined;
    if (first.end === field.length) return first.text;
    if (!renames || !field.startsWith(RENAME_ARROW, first.end)) return undefined;
    return decodeRenameTarget(field.slice(first.end + RENAME_ARROW.length));
  }

  if (!renames) return field;
  const arrow = field.indexOf(RENAME_ARROW);
  if (arrow < 0) return field;

  // "pfx{old => new}sfx": git leaves the common directory prefix and suffix outside the braces.
  const open = field.lastIndexOf("{", arrow);
  const close = field.indexOf("}", arrow);
  if (open >= 0 && close > arrow) {
    const prefix = field.slice(0, open);
    const target = field.slice(arrow + RENAME_ARROW.length, close);
    const suffix = field.slice(close + 1);
    return joinRename(prefix, target, suffix);
  }
  return decodeRenameTarget(field.slice(arrow + RENAME_ARROW.length));
}

function decodeRenameTarget(text: string): string | undefined {
  if (!text.startsWith('"')) return text;
  const quoted = readQuoted(text, 0);
  return quoted?.end === text.length ? quoted.text : undefined;
}

/**
 * Joins "pfx{old => new}sfx". An empty side means the file moved up or down a
 * directory, as in "src/{lib => }/a.ts", so the doubled slash is collapsed.
 */
function joinRename(prefix: string, target: string, suffix: string): string {
  if (target !== "") return prefix + target + suffix;
  if (suffix.startsWith("/") && (prefix === "" || prefix.endsWith("/"))) return prefix + suffix.slice(1);
  return prefix + suffix;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  "\\": 92,
};

/**
 * Reads a C-style quoted name as git writes it when core.quotePath applies: octal
 * escapes are bytes of UTF-8, so they are collected and decoded together.
 */
function readQuoted(text: string, start: number): { text: string; end: number } | undefined {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === '"') return { text: Buffer.from(bytes).toString("utf8"), end: i + 1 };
    if (char !== "\\") {
      const codePoint = text.codePointAt(i) ?? 0;
      const raw = String.fromCodePoint(codePoint);
      for (const byte of Buffer.from(raw, "utf8")) bytes.push(byte);
      i += raw.length;
      continue;
    }

    const escape = text.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    const octal = text.slice(i + 1, i + 4);
    if (!/^[0-3][0-7]{2}$/.test(octal)) return undefined;
    bytes.push(Number.parseInt(octal, 8));
    i += 4;
  }
  return undefined;
}
