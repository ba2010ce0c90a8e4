import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Calls `onLine` for every "\n"-separated line of `text`, without the separator. */
export function forEachLine(text: string, onLine: (line: string) => void): void {
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    if (end < 0) break;
    onLine(text.slice(start, end));
    start = end + 1;
  }
  if (start < text.length) onLine(text.slice(start));
}

/** Cuts text that arrives in chunks of any size into whole lines. */
export class LineSplitter {
  private rest = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const lastBreak = text.lastIndexOf("\n");
    if (lastBreak < 0) {
      this.rest = text;
      return;
    }
    forEachLine(text.slice(0, lastBreak + 1), this.onLine);
    this.rest = text.slice(lastBreak + 1);
  }

  /** Emits the last line when the text does not end with a line break. */
  end(): void {
    if (this.rest !== "") this.onLine(this.rest);
    this.rest = "";
  }
}

/**
 * Reads a byte stream and calls `onLine` for each line. The text is UTF-8, or UTF-16LE
 * when it starts with that byte order mark (what Windows PowerShell 5 writes for
 * `git log > file`). Invalid bytes become U+FFFD, and a character split across chunks is kept whole.
 */
export async function readLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const splitter = new LineSplitter(onLine);
  let decoder: StringDecoder | undefined;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    if (decoder === undefined) {
      decoder = new StringDecoder(bytes[0] === 0xff && bytes[1] === 0xfe ? "utf16le" : "utf8");
    }
    splitter.push(decoder.write(bytes));
  }
  if (decoder !== undefined) splitter.push(decoder.end());
  splitter.end();
}
