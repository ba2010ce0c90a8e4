import { invalidInput } from "../../domain/errors.js";
import { findJsonSyntaxError, lineAndColumn } from "./json-syntax.js";

const EXPORT_HINT =
  "save the JSON body of a Jira REST response (/rest/api/2/search, /rest/api/3/search/jql, /rest/api/3/issue/KEY) as UTF-8 and import that file";

/**
 * Decodes a file's bytes as UTF-8 JSON. Throws invalidInput naming the file and what
 * is wrong: another encoding (with the first invalid byte), content that is not
 * JSON, or a JSON syntax error with its line, column and offset. Error messages
 * never quote the file's content, because it may contain personal data or tokens.
 */
export function decodeJson(bytes: Buffer | string, file: string): unknown {
  const text = typeof bytes === "string" ? bytes.replace(/^\uFEFF/, "") : decodeUtf8(bytes, file);
  const start = text.search(/\S/);
  if (start === -1) throw invalidInput(file, "the file is empty", EXPORT_HINT);

  const first = text[start];
  if (first !== "{" && first !== "[") {
    const looksLike = first === "<" ? " (it starts with '<', like an HTML or XML page, for example a login or error page)" : "";
    throw invalidInput(file, `the file is not JSON${looksLike}`, EXPORT_HINT);
  }

  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof RangeError) {
      throw invalidInput(file, "the JSON is nested too deeply to read", EXPORT_HINT, error);
    }
    throw syntaxError(text, file, error);
  }
}

function syntaxError(text: string, file: string, cause: unknown): Error {
  const offset = findJsonSyntaxError(text) ?? text.length;
  const { line, column } = lineAndColumn(text, offset);
  const where = `line ${line}, column ${column} (character ${offset})`;
  if (offset >= text.length) {
    return invalidInput(
      file,
      `the JSON ends early at ${where}: the file is truncated`,
      "download or export the response again and check that it finished, then import it again",
      cause,
    );
  }
  return invalidInput(file, `invalid JSON at ${where}`, `fix the file at that position, or export it again; ${EXPORT_HINT}`, cause);
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes[0] === 0 || bytes[1] === 0) {
    throw invalidInput(file, "the file is UTF-16 encoded, not UTF-8", "Jira's REST API returns UTF-8: save the response body unchanged (for example with curl -o) or convert the file to UTF-8, then import it again");
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch (error) {
    const offset = firstInvalidUtf8Byte(body) + (body === bytes ? 0 : 3);
    throw invalidInput(
      file,
      `the file is not valid UTF-8 (first invalid byte at offset ${offset})`,
      "the file may be Latin-1 or Windows-1252: convert it to UTF-8 (for example iconv -f WINDOWS-1252 -t UTF-8) and import it again",
      error,
    );
  }
}

/**
 * Offset of the first byte that makes the text invalid UTF-8. A streaming decoder
 * accepts a prefix that ends inside a multi-byte sequence, so "the prefix decodes"
 * is monotonic in its length and a binary search finds the boundary.
 */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (decodesAsPrefix(bytes.subarray(0, middle))) valid = middle;
    else invalid = middle;
  }
  return invalid - 1;
}

function decodesAsPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}
