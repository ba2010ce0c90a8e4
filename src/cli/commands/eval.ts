import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import type { ActivityKind } from "../../domain/types.js";
import { importGit } from "../../ingest/git/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { evaluateLinking } from "../../linking/evaluate.js";
import { loadLinkingInput } from "../../linking/run-linking.js";
import { Store } from "../../store/store.js";
import type { CommandContext } from "../context.js";
import { formatImportReport } from "../output.js";

const KINDS = ["commit", "pull_request", "meeting", "focus", "ide_heartbeat", "ide_session"] as const satisfies readonly ActivityKind[];

interface EvalFlags {
  jira: string[];
  git: string[];
  maskKeys?: boolean;
  json?: boolean;
  threshold?: string;
  kinds: string;
  fitConfidence?: boolean;
  minHitAt1?: string;
}

function parseKinds(value: string): ActivityKind[] {
  const kinds = value.split(",").map((k) => k.trim());
  for (const kind of kinds) {
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new WorklensError("USAGE", `invalid --kinds entry "${kind}"`, `choose from ${KINDS.join(", ")}`);
    }
  }
  return kinds as ActivityKind[];
}

function parseFraction(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a number from 0 to 1`, `for example ${flag} 0.5`);
  return parsed;
}

export function registerEval(program: Command, context: () => CommandContext): void {
  const evaluate = program.command("eval").description("measure worklens on data whose answers are known");
  evaluate
    .command("linking")
    .description("rank issues for every activity that names its issue, with the key hidden if --mask-keys, and score the ranking")
    .requiredOption("--jira <files...>", "Jira JSON files (issues)")
    .requiredOption("--git <paths...>", "git repositories or log files")
    .option("--mask-keys", "hide every issue key and Jira URL from activity text before ranking")
    .option("--json", "print the metrics as JSON")
    .option("--threshold <confidence>", "confidence below which an activity stays unlinked", "0.5")
    .option("--kinds <list>", "activity kinds to evaluate, comma-separated", "commit")
    .option("--fit-confidence", "also fit the confidence model on this data and print its coefficients")
    .option("--min-hit-at-1 <fraction>", "exit with code 6 when Hit@1 is below this")
    .action(async (flags: EvalFlags) => {
      const ctx = context();
      const kinds = parseKinds(flags.kinds);
      const threshold = parseFraction(flags.threshold ?? "0.5", "--threshold");
      const folder = mkdtempSync(join(tmpdir(), "worklens-eval-"));
      const store = await Store.open({ kind: "sqlite", file: join(folder, "eval.sqlite") });
      try {
        for (const file of flags.jira) ctx.err(formatImportReport(await importJira(store, file)));
        for (const path of flags.git) ctx.err(formatImportReport(await importGit(store, path)));
        const input = await loadLinkingInput(store);
        const result = evaluateLinking(input, {
          maskKeys: flags.maskKeys === true,
          kinds,
          linker: { threshold },
          fitConfidence: flags.fitConfidence === true,
        });
        if (flags.json === true) {
          ctx.out(`${JSON.stringify(result.fitted ? { ...result.metrics, fitted_confidence: result.fitted } : result.metrics, null, 2)}\n`);
        } else {
          const m = result.metrics;
          ctx.out(
            [
              `activities with a known issue: ${m.n}${m.mask_keys ? " (keys masked)" : ""}`,
              `Hit@1 ${m.hit_at_1}  Hit@3 ${m.hit_at_3}  MRR ${m.mrr}`,
              `linked/unlinked at confidence ${m.threshold}: precision ${m.precision}, recall ${m.recall}, F1 ${m.f1} (${m.linked} linked)`,
              `true issue outside the window: ${m.truth_outside_window}; mean candidates: ${m.mean_candidates}`,
              ...(result.fitted ? [`fitted confidence: ${JSON.stringify(result.fitted)}`] : []),
            ].join("\n") + "\n",
          );
        }
        if (flags.minHitAt1 !== undefined && result.metrics.hit_at_1 < parseFraction(flags.minHitAt1, "--min-hit-at-1")) {
          throw new WorklensError("TARGET_MISSED", `Hit@1 ${result.metrics.hit_at_1} is below the target ${flags.minHitAt1}`, "see docs/evaluation.md for what moves the score");
        }
      } finally {
        await store.close();
        rmSync(folder, { recursive: true, force: true });
      }
    });
}
