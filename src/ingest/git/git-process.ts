import { spawn } from "node:child_process";
import { WorklensError } from "../../domain/errors.js";
import { readLines } from "./lines.js";
import { GIT_LOG_COMMAND } from "./git-log-command.js";

export interface GitRun {
  /** Exit code, or null when a signal ended git. */
  exitCode: number | null;
  /** The start of git's standard error, for messages. */
  stderr: string;
}

/** Characters of standard error kept for messages. */
const MAX_STDERR = 4096;

/**
 * Runs git without a shell and calls `onLine` for each line of its standard output as
 * it arrives. Throws NOT_FOUND when the git executable is missing. A non-zero exit is
 * returned, not thrown, so the caller can say what it means for its command.
 */
export async function runGit(git: string, args: readonly string[], onLine: (line: string) => void): Promise<GitRun> {
  const child = spawn(git, args, { stdio: ["ignore", "pipe", "pipe"], shell: false, windowsHide: true });
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      resolve(code);
    });
  });
  // Marks a start failure as handled while stdout is read, because it is awaited only afterwards.
  closed.catch(() => undefined);

  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < MAX_STDERR) stderr += chunk;
  });

  try {
    await readLines(child.stdout, onLine);
  } catch (error) {
    child.kill();
    await closed.catch(() => undefined);
    throw error;
  }

  try {
    const exitCode = await closed;
    return { exitCode, stderr: stderr.slice(0, MAX_STDERR) };
  } catch (error) {
    throw startFailure(git, error);
  }
}

function startFailure(git: string, error: unknown): WorklensError {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  if (code === "ENOENT") {
    return new WorklensError(
      "NOT_FOUND",
      `git executable "${git}" was not found`,
      `install git and put it on PATH, or import a file written elsewhere with: ${GIT_LOG_COMMAND}`,
      { cause: error },
    );
  }
  return new WorklensError(
    "INTERNAL",
    `git executable "${git}" could not be started (${code || "unknown error"})`,
    "check that the file is an executable git and that this user may run it",
    { cause: error },
  );
}

/** Returns the first line of git's standard error, which names the problem ("fatal: ..."). */
export function firstLine(stderr: string): string {
  const line = stderr.trim().split("\n", 1)[0] ?? "";
  return line === "" ? "no message" : line;
}
