import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** GNU time, which reports a child's peak RSS (from wait4's rusage) with -v. */
const GNU_TIME = "/usr/bin/time";

/** Interval of the /proc fallback's samples of a child's peak RSS, in milliseconds. */
const PROC_SAMPLE_MS = 20;

export interface ChildRun {
  wallMs: number;
  /** Peak resident set size of the child; undefined when neither GNU time nor /proc could measure it. */
  maxRssBytes: number | undefined;
  /** "gnu-time" or "proc-sampled" (may miss growth in the last sampling interval). */
  rssSource: "gnu-time" | "proc-sampled" | "none";
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  cwd?: string | undefined;
  /** "null" sends standard output to /dev/null without a pipe, as a shell's "> /dev/null" does. */
  stdout: "null" | "capture";
}

/**
 * Runs a command to its end and measures its wall time (from spawn to exit, in this
 * process) and its peak RSS: through GNU time when /usr/bin/time exists, else by
 * sampling VmHWM in /proc/<pid>/status, else not at all.
 */
export async function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const useTime = existsSync(GNU_TIME);
  const report = join(tmpdir(), `worklens-bench-time-${process.pid}-${Date.now()}.txt`);
  const [file, argv] = useTime ? [GNU_TIME, ["-v", "-o", report, command, ...args]] : [command, [...args]];
  const devNull = options.stdout === "null" ? openSync("/dev/null", "w") : undefined;

  try {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, stdio: ["ignore", devNull ?? "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));

    let sampledPeak: number | undefined;
    const sampler = useTime
      ? undefined
      : setInterval(() => {
          const highWaterMark = readVmHwm(child.pid);
          if (highWaterMark !== undefined) sampledPeak = Math.max(sampledPeak ?? 0, highWaterMark);
        }, PROC_SAMPLE_MS);

    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    const wallMs = performance.now() - started;
    if (sampler !== undefined) clearInterval(sampler);

    if (useTime) {
      const maxRssBytes = readGnuTimeRss(report);
      return { wallMs, maxRssBytes, rssSource: maxRssBytes === undefined ? "none" : "gnu-time", exitCode, stdout, stderr };
    }
    return { wallMs, maxRssBytes: sampledPeak, rssSource: sampledPeak === undefined ? "none" : "proc-sampled", exitCode, stdout, stderr };
  } finally {
    if (devNull !== undefined) closeSync(devNull);
    rmSync(report, { force: true });
  }
}

/** Runs a command and throws with its standard error when it exits with a non-zero code. */
export async function runChecked(command: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const run = await runChild(command, args, options);
  if (run.exitCode !== 0) {
    const tail = run.stderr.trim().split("\n").slice(-5).join("\n");
    throw new Error(`${command} ${args.slice(0, 3).join(" ")} ... failed with exit code ${String(run.exitCode)}:\n${tail}`);
  }
  return run;
}

function readGnuTimeRss(report: string): number | undefined {
  try {
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(report, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Reads the peak RSS ("high water mark", VmHWM) of a running process from Linux's /proc. */
function readVmHwm(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
