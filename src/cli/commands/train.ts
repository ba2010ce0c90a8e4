import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { loadXGBoost } from "../../ml/index.js";
import { MODEL_KINDS, type ModelKind } from "../../store/model-types.js";
import { formatError, trainAndGate, type GateReport } from "../../training/gate.js";
import { registeredTrainers } from "../../training/trainers.js";
import { shiftDay, utcToday } from "../../training/windows.js";
import { withStore, type CommandContext } from "../context.js";

interface TrainFlags {
  kind: string;
  today?: string;
  json?: boolean;
}

/** Parses a --kind value; `all` is accepted only when `allowAll` is true. */
export function parseKind(value: string, allowAll: boolean): ModelKind[] {
  if (allowAll && value === "all") return [...MODEL_KINDS];
  const kind = MODEL_KINDS.find((k) => k === value);
  if (kind === undefined) {
    const choices = allowAll ? [...MODEL_KINDS, "all"] : MODEL_KINDS;
    throw new WorklensError("USAGE", `invalid model kind "${value}": expected ${choices.join(", ")}`, "pass --kind linking or --kind time");
  }
  return [kind];
}

/** Parses --today, the current UTC day when absent. */
export function parseToday(value: string | undefined): string {
  if (value === undefined) return utcToday();
  if (shiftDay(value, 0) !== value) {
    throw new WorklensError("USAGE", `invalid --today "${value}": not a calendar day`, "pass a day as YYYY-MM-DD, such as 2025-03-14");
  }
  return value;
}

/** Formats one gate report for the terminal. */
export function formatGateReport(report: GateReport): string {
  const reference = report.reference.model === null ? report.reference.name : `live v${String(report.reference.model.version)} (id ${String(report.reference.model.id)})`;
  const lines = [`${report.kind}: ${report.outcome.replaceAll("_", " ")}`];
  if (report.candidate !== null) {
    lines.push(`  candidate     v${String(report.candidate.version)} (id ${String(report.candidate.id)}), held-out error ${formatError(report.candidate.error)}`);
  }
  const referenceError = report.holdoutN === 0 ? "not measured (no held-out labels)" : formatError(report.reference.error);
  lines.push(`  compared with ${reference}, held-out error ${referenceError}`);
  lines.push(`  held out      ${String(report.holdoutN)} labels from ${report.holdoutWindow.from} to ${report.holdoutWindow.to}`);
  lines.push(`  training days ${report.trainingWindow.from} to ${report.trainingWindow.to}`);
  lines.push(`  note          ${report.note}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Registers `worklens train`. The XGBoost library is loaded from
 * WORKLENS_XGBOOST_LIBRARY in `env` when set, from the dynamic loader's path otherwise.
 */
export function registerTrain(program: Command, context: () => CommandContext, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command("train")
    .description("train candidate models and promote each only if its error on the most recent 14 days of feedback is lower than the live model's (or, with none live, the bundled linking model's or the AI-off rules')")
    .option("--kind <kind>", "linking, time or all", "all")
    .option("--today <day>", "day of the run, YYYY-MM-DD; the held-out feedback ends the day before (default: the current UTC day)")
    .option("--json", "print the reports as JSON")
    .action(async (flags: TrainFlags) => {
      const kinds = parseKind(flags.kind, true);
      const today = parseToday(flags.today);
      const library = env["WORKLENS_XGBOOST_LIBRARY"];
      const backend = loadXGBoost(library === undefined || library === "" ? {} : { library });
      const trainers = registeredTrainers().filter((trainer) => kinds.includes(trainer.kind));
      if (trainers.length === 0) {
        throw new WorklensError("NOT_FOUND", `no trainer is registered for ${kinds.join(" or ")} models`, "this build of worklens has no trainer for that kind yet");
      }
      const ctx = context();
      await withStore(ctx, async (store) => {
        const reports: GateReport[] = [];
        for (const trainer of trainers) {
          const report = await trainAndGate(store, trainer, backend, { today });
          reports.push(report);
          if (flags.json !== true) ctx.out(formatGateReport(report));
        }
        if (flags.json === true) ctx.out(`${JSON.stringify(reports, null, 2)}\n`);
      }, { mustExist: true });
    });
}
