import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { loadXGBoost } from "../../ml/index.js";
import { formatError } from "../../training/gate.js";
import { runFeedbackLoop, type FeedbackError, type FeedbackLoopReport } from "../../training/feedback-loop.js";
import type { CommandContext } from "../context.js";

interface EvalTimeFlags {
  people: string;
  days: string;
  testDays: string;
  seed: string;
  ranker: string;
  relink: boolean;
  json?: boolean;
  saveModel?: string;
  minReduction?: string;
  maxMaeMinutes?: string;
}

function parseWholeNumber(value: string, flag: string, min: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a whole number of at least ${String(min)}`, `for example ${flag} ${String(Math.max(min, 10))}`);
  }
  return parsed;
}

function parseNumber(value: string, flag: string, max: number): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a number from 0 to ${String(max)}`, `for example ${flag} ${max === 1 ? "0.3" : "20"}`);
  }
  return parsed;
}

function parseRanker(value: string): "learned" | "rules" {
  if (value === "learned" || value === "rules") return value;
  throw new WorklensError("USAGE", `invalid --ranker "${value}": expected learned or rules`, "pass --ranker learned (the default) or --ranker rules");
}

/**
 * Registers `worklens eval time` under the `eval` command: the feedback loop on a
 * simulated team, which measures the error per ticket-day before and after the time
 * model learns from simulated corrections.
 */
export function registerEvalTime(evalCommand: Command, context: () => CommandContext): void {
  evalCommand
    .command("time")
    .description("simulate a team, correct the suggestions of its earlier days, train the time model through the promotion gate, and compare the error per ticket-day on the last days before and after")
    .option("--people <n>", "team size", "8")
    .option("--days <n>", "working days to simulate", "40")
    .option("--test-days <n>", "last working days the error is measured on; the earlier ones are corrected", "10")
    .option("--seed <n>", "seed of the simulation and of the corrections", "1")
    .option("--ranker <ranker>", "linking before allocation: learned or rules", "learned")
    .option("--no-relink", "do not train the linking model on the reviewed links and link again before the time model trains")
    .option("--json", "print the report as JSON")
    .option("--save-model <file>", "write the promoted time model artifact to this file")
    .option("--min-reduction <fraction>", "exit with code 6 when the error after is not at least this fraction lower than before, such as 0.3")
    .option("--max-mae-minutes <n>", "exit with code 6 when the mean absolute error after, in minutes per ticket-day, is above this")
    .action(async (flags: EvalTimeFlags) => {
      const ctx = context();
      const options = {
        people: parseWholeNumber(flags.people, "--people", 1),
        days: parseWholeNumber(flags.days, "--days", 3),
        testDays: parseWholeNumber(flags.testDays, "--test-days", 1),
        seed: parseWholeNumber(flags.seed, "--seed", 0),
        ranker: parseRanker(flags.ranker),
        relink: flags.relink,
      };
      const minReduction = flags.minReduction === undefined ? undefined : parseNumber(flags.minReduction, "--min-reduction", 1);
      const maxMae = flags.maxMaeMinutes === undefined ? undefined : parseNumber(flags.maxMaeMinutes, "--max-mae-minutes", 24 * 60);
      const backend = loadXGBoost(ctx.config.xgboostLibrary === undefined ? {} : { library: ctx.config.xgboostLibrary });

      const onStep = (step: string) => {
        ctx.err(`${step}\n`);
      };
      const report = await runFeedbackLoop({ ...options, backend, onStep });
      const { model, ...printed } = report;
      ctx.out(flags.json === true ? `${JSON.stringify(printed, null, 2)}\n` : formatReport(report));

      if (flags.saveModel !== undefined) {
        if (model === null) {
          throw new WorklensError("TARGET_MISSED", `the gate promoted no time model (${report.gate.outcome}), so nothing was written to ${flags.saveModel}`, "simulate more people or days, so the gate has more corrections to train and compare on");
        }
        await writeFile(flags.saveModel, `${JSON.stringify(model)}\n`);
        ctx.err(`wrote the promoted time model to ${flags.saveModel}\n`);
      }
      checkTargets(report, minReduction, maxMae);
    });
}

function checkTargets(report: FeedbackLoopReport, minReduction: number | undefined, maxMae: number | undefined): void {
  if (minReduction === undefined && maxMae === undefined) return;
  const { after, relativeReduction } = report;
  if (after === null || relativeReduction === null) {
    throw new WorklensError("TARGET_MISSED", `no gate promoted a model (${report.gate.note}), so there is no error after corrections to compare with the target`, "see docs/evaluation.md for what moves the error");
  }
  if (minReduction !== undefined && relativeReduction < minReduction) {
    throw new WorklensError("TARGET_MISSED", `the error per ticket-day fell by ${percent(relativeReduction)}, less than the target ${percent(minReduction)}`, "see docs/evaluation.md for what moves the error");
  }
  if (maxMae !== undefined && after.meanAbsoluteErrorMinutes > maxMae) {
    throw new WorklensError("TARGET_MISSED", `the error per ticket-day after corrections is ${String(after.meanAbsoluteErrorMinutes)} min, above the target ${String(maxMae)} min`, "see docs/evaluation.md for what moves the error");
  }
}

function formatReport(report: FeedbackLoopReport): string {
  const { windows, corrections: c, timings } = report;
  const lines = [
    `simulated ${String(report.people)} people for ${String(report.days)} working days (seed ${String(report.seed)}, synthetic data), linked with the ${report.ranker === "learned" ? "learned ranker" : "rules"}`,
    `corrected ${windows.corrected.from} to ${windows.corrected.to}: ${String(c.accepted)} accepted, ${String(c.edited)} edited, ${String(c.rejected)} rejected, ${String(c.skipped)} skipped`,
    ...relinkLines(report),
    `gate: ${report.gate.note}`,
    `evaluated ${windows.evaluation.from} to ${windows.evaluation.to} (the last ${String(report.testDays)} working days)`,
    `  before  ${describeError(report.before)}`,
    ...(report.relink?.relinked == null ? [] : [`  relinked ${describeError(report.relink.relinked)}`]),
    `  after   ${describeAfter(report)}`,
  ];
  if (report.relativeReduction !== null) lines.push(`  reduction ${percent(report.relativeReduction)}`);
  lines.push(`training ${formatError(timings.trainingSeconds)} s, total ${formatError(timings.totalSeconds)} s`);
  return `${lines.join("\n")}\n`;
}

function relinkLines(report: FeedbackLoopReport): string[] {
  const { relink } = report;
  if (relink === null) return [];
  return [
    `linking labels from reviews: ${String(relink.labelledActivities)} activities, ${String(relink.activitiesWithoutIssue)} with every reviewed issue rejected`,
    `linking gate: ${relink.gate.note}`,
  ];
}

function describeAfter(report: FeedbackLoopReport): string {
  if (report.after === null) return "none: no gate promoted a model";
  const note = report.model === null ? " (rule-based time: the gate promoted no time model)" : "";
  return `${describeError(report.after)}${note}`;
}

function describeError(error: FeedbackError): string {
  const { missed, falseLinks, misSized } = error.parts;
  return [
    `mean absolute error ${String(error.meanAbsoluteErrorMinutes)} min per ticket-day on ${String(error.ticketDays)} ticket-days; suggested / true time ${(error.trueSeconds === 0 ? 0 : error.suggestedSeconds / error.trueSeconds).toFixed(2)}`,
    `          from ${String(missed.ticketDays)} ticket-days with no suggestion ${String(missed.minutes)} min, ${String(falseLinks.ticketDays)} suggestions on issues with no true time ${String(falseLinks.minutes)} min, ${String(misSized.ticketDays)} mis-sized ${String(misSized.minutes)} min`,
    `          keyless meetings linked to an issue: ${String(error.keylessMeetings.linked)} of ${String(error.keylessMeetings.total)}`,
  ].join("\n");
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
