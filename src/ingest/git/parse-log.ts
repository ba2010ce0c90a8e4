import { invalidInput, type WorklensError } from "../../domain/errors.js";
import type { ActivityInput } from "../../domain/types.js";
import { emptyResult, type ParseResult } from "../parse-result.js";
import { GIT_LOG_COMMAND } from "./git-log-command.js";
import { clip, toActivity, type CommitContext, type PendingCommit } from "./commit-record.js";
import { forEachLine } from "./lines.js";
import { parseNameOnlyLine, parseNumstatLine, type NumstatEntry } from "./numstat.js";

export { GIT_LOG_COMMAND };

export interface GitLogOptions {
  /** The input as named in messages: a file path, or a repository path. */
  file: string;
  /** Stored as each commit's `repo`. */
  repo?: string | undefined;
  /** Commits on the main line of development, as `CommitContext.mainline` describes. */
  mainline?: ReadonlySet<string> | undefined;
  /** False for output of `git log --no-renames`, where " => " can only be part of a file name. Default true. */
  renames?: boolean | undefined;
  /** "names" for output of `--name-only`, which lists paths without line counts. Default "numstat". */
  fileList?: "numstat" | "names" | undefined;
}

/**
 * Parses `git log --format=fuller --numstat` output (see GIT_LOG_COMMAND) into one
 * commit activity per commit. The day of a commit comes from its author date in the
 * author's own offset. The committer date, which a rebase rewrites, becomes `landedAt`.
 * Throws invalidInput when the text contains no commit at all.
 */
export function parseGitLog(text: string, options: GitLogOptions): ParseResult<ActivityInput> {
  const parser = new GitLogParser(options);
  forEachLine(text, (line) => {
    parser.push(line);
  });
  const result = parser.finish();
  if (parser.commitCount === 0) throw noCommits(options.file);
  return result;
}

/** Converts a `--name-only` line to a numstat entry without counts, so both file lists take one code path. */
function namesOnlyEntry(line: string): NumstatEntry | undefined {
  const path = parseNameOnlyLine(line);
  return path === undefined ? undefined : { path, added: undefined, deleted: undefined };
}

export function noCommits(file: string): WorklensError {
  return invalidInput(
    file,
    "no commit found: expected the output of git log, where each commit starts with a line \"commit <hash>\"",
    `write the file with: ${GIT_LOG_COMMAND}`,
  );
}

/** Position of the parser inside the output of one commit. */
type Section = "preamble" | "header" | "message" | "files" | "notes" | "skipping";

const MESSAGE_INDENT = "    ";
const MAX_LISTED_LINES = 5;

/**
 * Line-by-line parser of git log output, for input that arrives as a stream. Feed
 * every line without its "\n" to `push`, then call `finish` once.
 */
export class GitLogParser {
  private readonly result = emptyResult<ActivityInput>();
  private readonly context: CommitContext;
  private readonly renames: boolean;
  private readonly namesOnly: boolean;
  private section: Section = "preamble";
  private current: PendingCommit | undefined;
  private blankLinesInMessage = 0;
  private lineNumber = 0;
  private commitLines = 0;

  private readonly seen = new Set<string>();
  private repeatedCommits = 0;
  private invalidCommitDates = 0;
  private linesBeforeFirstCommit = 0;
  private readonly unknownHeaders = new Map<string, number>();
  private readonly unrecognizedLines: number[] = [];
  private unrecognizedCount = 0;

  constructor(options: GitLogOptions) {
    this.context = { repo: options.repo, mainline: options.mainline };
    this.renames = options.renames ?? true;
    this.namesOnly = options.fileList === "names";
  }

  /** Number of "commit" lines seen, including the skipped ones. */
  get commitCount(): number {
    return this.commitLines;
  }

  push(rawLine: string): void {
    this.lineNumber += 1;
    let line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (this.lineNumber === 1 && line.startsWith("\uFEFF")) line = line.slice(1);

    if (line.startsWith("commit ")) {
      this.startCommit(line);
      return;
    }
    switch (this.section) {
      case "preamble":
        if (line.trim() !== "") this.linesBeforeFirstCommit += 1;
        return;
      case "skipping":
        return;
      case "header":
        this.headerLine(line);
        return;
      case "message":
        this.messageLine(line);
        return;
      case "files":
      case "notes":
        this.trailerLine(line);
        return;
    }
  }

  finish(): ParseResult<ActivityInput> {
    this.flush();
    this.section = "preamble";
    this.result.warnings.push(...this.summaryWarnings());
    return this.result;
  }

  /** Starts a commit at "commit <hash>[<TAB><source ref>][ (<decorations>)]" or, with `-m`, "commit <hash> (from <hash>)". */
  private startCommit(line: string): void {
    this.flush();
    this.commitLines += 1;

    let hashEnd = 7;
    while (hashEnd < line.length && line[hashEnd] !== " " && line[hashEnd] !== "\t") hashEnd += 1;
    const sha = line.slice(7, hashEnd).toLowerCase();
    if (!isCommitHash(sha)) {
      this.result.skipped.push({
        record: `line ${this.lineNumber}`,
        reason: `the commit hash "${clip(sha)}" is malformed: expected 40 or 64 hexadecimal digits. The file may be cut or edited; write it again with git log`,
      });
      this.section = "skipping";
      return;
    }
    if (this.seen.has(sha)) {
      this.repeatedCommits += 1;
      this.section = "skipping";
      return;
    }
    this.seen.add(sha);

    let sourceRef: string | undefined;
    if (line[hashEnd] === "\t") {
      const decorations = line.indexOf(" (", hashEnd);
      sourceRef = line.slice(hashEnd + 1, decorations < 0 ? line.length : decorations);
    }
    this.current = {
      sha,
      line: this.lineNumber,
      sourceRef,
      author: undefined,
      authorDate: undefined,
      committerDate: undefined,
      message: [],
      linesAdded: 0,
      linesDeleted: 0,
      paths: [],
    };
    this.blankLinesInMessage = 0;
    this.section = "header";
  }

  private headerLine(line: string): void {
    const commit = this.current;
    if (commit === undefined) return;
    if (line === "") {
      this.section = "message";
      return;
    }
    if (line.startsWith(MESSAGE_INDENT)) {
      this.section = "message";
      this.messageLine(line);
      return;
    }

    const colon = line.indexOf(":");
    if (colon <= 0) {
      this.unrecognized();
      return;
    }
    const value = line.slice(colon + 1).trim();
    switch (line.slice(0, colon)) {
      case "Author":
        commit.author = value;
        return;
      // "Date" is the author date of git's default (medium) format.
      case "AuthorDate":
      case "Date":
        commit.authorDate = value;
        return;
      case "CommitDate":
        commit.committerDate = value;
        return;
      // The committer and the parent hashes of a merge are not needed for a worklog.
      case "Commit":
      case "Merge":
        return;
      default: {
        const key = clip(line.slice(0, colon), 20);
        this.unknownHeaders.set(key, (this.unknownHeaders.get(key) ?? 0) + 1);
      }
    }
  }

  /** Git indents every message line by four spaces, so an unindented line ends the message. */
  private messageLine(line: string): void {
    const commit = this.current;
    if (commit === undefined) return;
    if (line.startsWith(MESSAGE_INDENT)) {
      // A blank line stripped of its indent (by an editor, say) followed by more message is part of it.
      for (; this.blankLinesInMessage > 0; this.blankLinesInMessage -= 1) commit.message.push("");
      commit.message.push(line.slice(MESSAGE_INDENT.length));
      return;
    }
    if (line.trim() === "") {
      if (commit.message.length > 0) this.blankLinesInMessage += 1;
      return;
    }
    this.trailerLine(line);
  }

  /** Lines after the message: numstat lines and git notes. */
  private trailerLine(line: string): void {
    if (line.trim() === "") return;
    if (this.section === "notes" && line.startsWith(MESSAGE_INDENT)) return;
    if (line.startsWith("Notes") && line.endsWith(":")) {
      this.section = "notes";
      return;
    }

    const entry = this.namesOnly ? namesOnlyEntry(line) : parseNumstatLine(line, this.renames);
    const commit = this.current;
    if (entry === undefined || commit === undefined) {
      this.unrecognized();
      return;
    }
    this.section = "files";
    commit.paths.push(entry.path);
    commit.linesAdded += entry.added ?? 0;
    commit.linesDeleted += entry.deleted ?? 0;
  }

  private unrecognized(): void {
    this.unrecognizedCount += 1;
    if (this.unrecognizedLines.length < MAX_LISTED_LINES) this.unrecognizedLines.push(this.lineNumber);
  }

  private flush(): void {
    const commit = this.current;
    this.current = undefined;
    if (commit === undefined) return;

    const outcome = toActivity(commit, this.context);
    if (!outcome.ok) {
      this.result.skipped.push(outcome.skipped);
      return;
    }
    this.result.records.push(outcome.activity);
    if (outcome.landedAtInvalid) this.invalidCommitDates += 1;
  }

  private summaryWarnings(): string[] {
    const warnings: string[] = [];
    if (this.linesBeforeFirstCommit > 0 && this.commitLines > 0) {
      warnings.push(`${this.linesBeforeFirstCommit} lines before the first commit were ignored`);
    }
    if (this.unrecognizedCount > 0) {
      warnings.push(
        `${this.unrecognizedCount} lines are not git log output and were ignored (first at line ${this.unrecognizedLines.join(", ")}); the file may be edited or cut`,
      );
    }
    if (this.unknownHeaders.size > 0) {
      const names = [...this.unknownHeaders.keys()].slice(0, MAX_LISTED_LINES).join(", ");
      const total = [...this.unknownHeaders.values()].reduce((sum, n) => sum + n, 0);
      warnings.push(`${total} commit header lines of unknown kind were ignored (${names})`);
    }
    if (this.repeatedCommits > 0) {
      warnings.push(
        `${this.repeatedCommits} repeated commit entries were ignored, as git log -m prints a merge once per parent; the first entry of each commit was kept`,
      );
    }
    if (this.invalidCommitDates > 0) {
      warnings.push(`${this.invalidCommitDates} commits have an invalid CommitDate, so their landedAt is empty; their author date still places them`);
    }
    return warnings;
  }
}

/** Checks for a full SHA-1 (40) or SHA-256 (64) object name in lower case. */
function isCommitHash(text: string): boolean {
  if (text.length !== 40 && text.length !== 64) return false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const digit = code >= 48 && code <= 57;
    const hexLetter = code >= 97 && code <= 102;
    if (!digit && !hexLetter) return false;
  }
  return true;
}
