import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { Option } from "commander";
import { parseDayRange } from "../../allocation/run-allocation.js";
import { DEFAULT_ALLOCATION_OPTIONS, type AllocationOptions } from "../../allocation/allocate.js";
import { WorklensError } from "../../domain/errors.js";
import { MS_PER_MINUTE } from "../../domain/time.js";
import { linkAndSuggest, type AiSwitch } from "../../review/pipeline.js";
import { formatRows, type ReportFormat } from "../../insights/format.js";
import { loadWorklogRows } from "../../insights/worklog-report.js";
import { createProgress } from "../progress.js";
import { withStore, type CommandContext } from "../context.js";

export interface AllocationFlags {
  heartbeatTimeout?: string;
  commitGap?: string;
  firstCommit?: string;
}

function minutes(value: string | undefined, flag: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 24 * 60) {
    throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected minutes from 0 to 1440`, `for example ${flag} 15`);
  }
  return parsed * MS_PER_MINUTE;
}

export function allocationOptions(flags: AllocationFlags): AllocationOptions {
  const base = DEFAULT_ALLOCATION_OPTIONS;
  return {
    ...base,
    heartbeatTimeoutMs: minutes(flags.heartbeatTimeout, "--heartbeat-timeout", base.heartbeatTimeoutMs),
    commitRule: {
      maxGapMs: minutes(flags.commitGap, "--commit-gap", base.commitRule.maxGapMs),
      firstCommitMs: minutes(flags.firstCommit, "--first-commit", base.commitRule.firstCommitMs),
    },
  };
}

/** Write a report file; a missing folder is NOT_FOUND with the path, not an internal error. */
async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    if (code === "ENOENT") throw new WorklensError("NOT_FOUND", `cannot write ${file}: its folder does not exist`, "create the folder first, or pass another --out path", { cause: error });
    throw new WorklensError("INVALID_INPUT", `cannot write ${file} (${code})`, "check the path and its permissions", { cause: error });
  }
}

function rangeOf(from?: string, to?: string) {
  try {
    return parseDayRange(from, to);
  } catch (error) {
    throw new WorklensError("USAGE", (error as Error).message, "dates are YYYY-MM-DD, for example --from 2025-03-03 --to 2025-03-09");
  }
}

/** Parse --ai. */
export function parseAiMode(value: string): AiSwitch {
  if (value === "on" || value === "off") return value;
  throw new WorklensError("USAGE", `invalid --ai "${value}": expected on or off`, "pass --ai off to use the first-version rules only");
}

export function registerSuggest(program: Command, context: () => CommandContext): void {
  program
    .command("suggest")
    .description("link activities to issues and suggest worklogs per person, day and issue")
    .option("--from <day>", "first day, YYYY-MM-DD (default: the first day with activity)")
    .option("--to <day>", "last day, YYYY-MM-DD (default: the last day with activity)")
    .option("--heartbeat-timeout <minutes>", "gap between IDE heartbeats that still counts as work", "15")
    .option("--commit-gap <minutes>", "gap between commits that still counts as one session", "120")
    .option("--first-commit <minutes>", "work credited before a session's first commit", "30")
    .option("--ai <mode>", "on: each team's AI mode (worklens teams set-ai-mode) with the learned models, the live ones else the bundled ones; off: the first-version rules only, for everyone", "on")
    .action(async (options: { from?: string; to?: string; ai: string } & AllocationFlags) => {
      const ctx = context();
      const range = rangeOf(options.from, options.to);
      const allocation = allocationOptions(options);
      await withStore(ctx, async (store) => {
        const progress = createProgress(ctx.config.progress, "linking");
        const { linking, allocation: result, models } = await linkAndSuggest(store, {
          ai: parseAiMode(options.ai),
          range,
          allocation,
          onProgress: (done, total) => { progress.update(done, total); },
        });
        progress.stop();
        ctx.out(`${linking.activities} activities: ${linking.explicit} linked by issue key, ${linking.ranked} linked by ranking, ${linking.unlinked} left unlinked\n`);
        ctx.out(`models: ${models}\n`);
        const total = result.suggestions.reduce((sum, s) => sum + s.seconds, 0);
        ctx.out(`suggested ${result.suggestions.length} ${result.suggestions.length === 1 ? "worklog" : "worklogs"}, ${(total / 3600).toFixed(1)} h${result.range ? ` from ${result.range.from} to ${result.range.to}` : ""}\n`);
      }, { mustExist: true });
    });

  program
    .command("report")
    .description("print stored suggested worklogs")
    .option("--from <day>", "first day, YYYY-MM-DD (default: the first stored day)")
    .option("--to <day>", "last day, YYYY-MM-DD (default: the last stored day)")
    .addOption(new Option("--format <format>", "output format").choices(["table", "csv", "json"]).default("table"))
    .option("--out <file>", "write to a file instead of standard output")
    .action(async (options: { from?: string; to?: string; format: ReportFormat; out?: string }) => {
      const ctx = context();
      const range = rangeOf(options.from, options.to);
      await withStore(ctx, async (store) => {
        const rows = await loadWorklogRows(store, range.from, range.to);
        if (rows.length === 0) ctx.err('no suggested worklogs stored for these days: run "worklens suggest" first\n');
        const text = formatRows(rows, options.format);
        if (options.out === undefined) {
          ctx.out(text);
          return;
        }
        await writeOutput(options.out, text);
        ctx.out(`wrote ${rows.length} suggested worklogs to ${options.out}\n`);
      }, { mustExist: true });
    });
}
