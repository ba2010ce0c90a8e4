/** One content line after unfolding, with the physical line (1-based) it starts on. */
export interface ContentLine {
  text: string;
  lineNumber: number;
}

export interface UnfoldedLines {
  lines: ContentLine[];
  warnings: string[];
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/**
 * Split calendar bytes into content lines, unfolding RFC 5545 section 3.1 folds
 * (a line break followed by a space or tab) on the bytes before decoding UTF-8,
 * because a fold may split a multi-byte UTF-8 sequence. Invalid UTF-8 is replaced
 * with U+FFFD and reported once as a warning. UTF-16 files are accepted when they
 * start with a byte order mark. Empty lines are dropped.
 */
export function unfoldLines(bytes: Buffer, file: string): UnfoldedLines {
  const utf8 = toUtf8(bytes);
  const strict = new TextDecoder("utf-8", { fatal: true });
  const lenient = new TextDecoder("utf-8");
  const lines: ContentLine[] = [];
  const invalidLines: number[] = [];

  for (const logical of logicalLines(utf8)) {
    const joined = Buffer.concat(logical.parts);
    let text: string;
    try {
      text = strict.decode(joined);
    } catch {
      invalidLines.push(logical.lineNumber);
      text = lenient.decode(joined);
    }
    if (text.trim() !== "") lines.push({ text, lineNumber: logical.lineNumber });
  }

  const warnings: string[] = [];
  if (invalidLines.length > 0) {
    warnings.push(
      `${file}: ${invalidLines.length} line(s) contain invalid UTF-8 (first at line ${invalidLines[0] ?? 0}); ` +
        `the bad bytes were replaced with U+FFFD. Export the calendar as UTF-8 to keep those characters.`,
    );
  }
  return { lines, warnings };
}

interface LogicalLine {
  parts: Buffer[];
  lineNumber: number;
}

/** Physical lines end at LF (CRLF or a bare LF); a line starting with a space or tab continues the previous one. */
function* logicalLines(bytes: Buffer): Generator<LogicalLine> {
  let current: LogicalLine | undefined;
  let lineNumber = 0;
  let start = 0;

  while (start < bytes.length) {
    lineNumber += 1;
    const newline = bytes.indexOf(LF, start);
    const stop = newline === -1 ? bytes.length : newline;
    const end = stop > start && bytes[stop - 1] === CR ? stop - 1 : stop;
    const physical = bytes.subarray(start, end);
    start = stop + 1;

    const first = physical[0];
    if (current !== undefined && (first === SPACE || first === TAB)) {
      current.parts.push(physical.subarray(1));
      continue;
    }
    if (current !== undefined) yield current;
    current = { parts: [physical], lineNumber };
  }
  if (current !== undefined) yield current;
}

/** Strip a UTF-8 byte order mark, or convert UTF-16 with a byte order mark to UTF-8. */
function toUtf8(bytes: Buffer): Buffer {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(new TextDecoder("utf-16le").decode(bytes.subarray(2)), "utf8");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(new TextDecoder("utf-16be").decode(bytes.subarray(2)), "utf8");
  return bytes;
}

/** True when the bytes contain NUL, which iCalendar text never does (RFC 5545 section 3.3.11): binary data or UTF-16 without a byte order mark. */
export function containsNul(bytes: Buffer): boolean {
  return bytes.includes(NUL);
}
