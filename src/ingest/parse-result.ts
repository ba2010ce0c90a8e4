/** A record the parser passed over, named so a person can find it in the file. */
export interface SkippedRecord {
  /** Location of the record in its file: "line 12", "issues[3] (PROJ-7)", "commit 1a2b3c4". */
  record: string;
  reason: string;
}

/** Result of a pure parser: the good records, and the bad ones with reasons. Parsers throw only for a file they cannot read at all. */
export interface ParseResult<T> {
  records: T[];
  skipped: SkippedRecord[];
  warnings: string[];
}

export function emptyResult<T>(): ParseResult<T> {
  return { records: [], skipped: [], warnings: [] };
}
