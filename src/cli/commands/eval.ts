import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import type { ActivityKind, ActivityRecord } from "../../domain/types.js";
import { importGit } from "../../ingest/git/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { HashingEmbedder, type TextEmbedder } from "../../linking/embedding.js";
import { rankerTokenLists } from "../../linking/embedding-texts.js";
import { evaluateLinking } from "../../linking/evaluate.js";
import { evaluatePairs, parsePairs, type LinkPair } from "../../linking/evaluate-pairs.js";
import { LearnedLinker, type ActivityLinker, type LinkingArtifact } from "../../linking/learned-linker.js";
import type { LinkingInput } from "../../linking/linker.js";
import { BUNDLED_LINKING_MODEL, EMBEDDING_DIMENSIONS, readLinkingArtifact, sentenceEmbedder, type EmbeddingSetting } from "../../linking/model-choice.js";
import { loadLinkingInput } from "../../linking/run-linking.js";
import { DEFAULT_RANKER_TRAINING, trainRanker } from "../../linking/train-ranker.js";
import { loadXGBoost } from "../../ml/xgboost.js";
import { Store } from "../../store/store.js";
import { Linker } from "../../linking/linker.js";
import type { CommandContext } from "../context.js";
import { registerEvalTime } from "./eval-time.js";
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
  model: string;
  splitDate?: string;
  saveModel?: string;
  pairs?: string;
}

/**
 * Evaluation embeds text under a fixed key so that its numbers are reproducible;
 * a model's features are similarities, which do not depend on the key.
 */
const EVALUATION_KEY = createHash("sha256").update("worklens evaluation embedding").digest();

function parseDay(value: string, flag: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(at)) throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a date as YYYY-MM-DD`, `for example ${flag} 2010-08-04`);
  return at;
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
    .option("--threshold <confidence>", "confidence below which an activity stays unlinked (default: the model's, 0.5 for the rules)")
    .option("--kinds <list>", "activity kinds to evaluate, comma-separated", "commit")
    .option("--fit-confidence", "also fit the confidence model on this data and print its coefficients")
    .option("--min-hit-at-1 <fraction>", "exit with code 6 when Hit@1 is below this")
    .option("--model <model>", "rules (first version, AI off), default (the bundled learned model), train (train on this data before --split-date; needs XGBoost) or a model file", "default")
    .option("--split-date <day>", "score only activities from this day on; with --model train, train only on earlier ones")
    .option("--save-model <file>", "with --model train, write the trained model to this file")
    .option("--pairs <csv>", "score labelled issue-commit pairs (columns Issue_Key, Commit_SHA, labels) instead of rankings; --model train leaves their commits out of training")
    .action(async (flags: EvalFlags) => {
      const ctx = context();
      const kinds = parseKinds(flags.kinds);
      const threshold = flags.threshold === undefined ? undefined : parseFraction(flags.threshold, "--threshold");
      const folder = mkdtempSync(join(tmpdir(), "worklens-eval-"));
      const store = await Store.open({ kind: "sqlite", file: join(folder, "eval.sqlite") });
      try {
        for (const file of flags.jira) ctx.err(formatImportReport(await importJira(store, file)));
        for (const path of flags.git) ctx.err(formatImportReport(await importGit(store, path)));
        const input = await loadLinkingInput(store);
        const split = flags.splitDate === undefined ? undefined : parseDay(flags.splitDate, "--split-date");
        const pairs = flags.pairs === undefined ? undefined : parsePairs(readText(flags.pairs), flags.pairs);
        const pairCommits = pairs === undefined ? undefined : await commitsOf(store, input, pairs);
        const pairIds = new Set([...(pairCommits?.values() ?? [])].map((a) => a.id));
        const linker = await chooseLinker(ctx, flags, input, threshold, split, pairIds);
        if (linker.artifact !== undefined && flags.saveModel !== undefined) {
          await writeFile(flags.saveModel, `${JSON.stringify(linker.artifact)}\n`);
          ctx.err(`wrote the trained linking model to ${flags.saveModel}\n`);
        }
        if (pairs !== undefined && pairCommits !== undefined) {
          const metrics = evaluatePairs(pairs, pairCommits, new Map(input.issues.map((i) => [i.key, i.id])), linker.linker);
          ctx.out(flags.json === true ? `${JSON.stringify({ ...metrics, model: linker.name }, null, 2)}\n` : formatPairs(metrics, linker.name));
          return;
        }
        const result = evaluateLinking(input, {
          maskKeys: flags.maskKeys === true,
          kinds,
          linker: threshold === undefined ? {} : { threshold },
          fitConfidence: flags.fitConfidence === true,
          ...(linker.kind === "rules" ? {} : { model: linker.linker }),
          ...(split === undefined ? {} : { from: split }),
        });
        ctx.err(`model: ${linker.name}${split === undefined ? "" : `; scored activities from ${flags.splitDate ?? ""} on`}\n`);
        if (flags.json === true) {
          ctx.out(`${JSON.stringify(result.fitted ? { ...result.metrics, fitted_confidence: result.fitted } : result.metrics, null, 2)}\n`);
        } else {
          const m = result.metrics;
          ctx.out(
            [
              `activities with a known issue: ${m.n}${m.mask_keys ? " (keys masked)" : ""}`,
              `Hit@1 ${m.hit_at_1}  Hit@3 ${m.hit_at_3}  MRR ${m.mrr}`,
              `linked/unlinked at confidence ${m.threshold}: precision ${m.precision}, recall ${m.recall}, F1 ${m.f1} (${m.linked} linked)`,
              `true issue not among the candidates: ${m.truth_outside_window}; mean candidates: ${m.mean_candidates}`,
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
  registerEvalTime(evaluate, context);
}

interface ChosenLinker {
  kind: "rules" | "learned";
  name: string;
  linker: ActivityLinker;
  artifact?: LinkingArtifact;
}

async function chooseLinker(
  ctx: CommandContext,
  flags: EvalFlags,
  input: LinkingInput,
  threshold: number | undefined,
  split: number | undefined,
  exclude: ReadonlySet<number>,
): Promise<ChosenLinker> {
  const options = { maskKeys: flags.maskKeys === true, ...(threshold === undefined ? {} : { threshold }) };
  if (flags.model === "rules") {
    return { kind: "rules", name: "rules (first version)", linker: new Linker(input, options) };
  }
  const embedder = await evaluationEmbedder(ctx.config.embedding, input, options.maskKeys);
  if (flags.model === "train") {
    const backend = loadXGBoost(ctx.config.xgboostLibrary === undefined ? {} : { library: ctx.config.xgboostLibrary });
    const started = Date.now();
    const artifact = trainRanker(input, backend, embedder, {
      ...DEFAULT_RANKER_TRAINING,
      kinds: ["commit"],
      before: split,
      exclude: (activity) => exclude.has(activity.id),
      now: new Date(),
    });
    ctx.err(`trained on ${String(artifact.metrics["examples"] ?? 0)} activities in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return { kind: "learned", name: `learned, trained here on ${artifact.window.from} to ${artifact.window.to}`, linker: new LearnedLinker(input, artifact, embedder, options), artifact };
  }
  const file = flags.model === "default" ? BUNDLED_LINKING_MODEL : flags.model;
  const artifact = readLinkingArtifact(file);
  const name = flags.model === "default" ? `bundled (trained on ${artifact.window.from} to ${artifact.window.to})` : `${file} (trained on ${artifact.window.from} to ${artifact.window.to})`;
  return { kind: "learned", name, linker: new LearnedLinker(input, artifact, embedder, options) };
}

/**
 * The configured embedding: keyed hashing under the fixed evaluation key, so numbers
 * repeat, or the sentence model of WORKLENS_EMBEDDING_FOLDER, prepared for every text
 * the ranker will embed.
 */
async function evaluationEmbedder(setting: EmbeddingSetting, input: LinkingInput, maskKeys: boolean): Promise<TextEmbedder> {
  if (setting.kind === "hashing") return new HashingEmbedder(EVALUATION_KEY, EMBEDDING_DIMENSIONS);
  const embedder = await sentenceEmbedder(setting.folder);
  await embedder.prepare(rankerTokenLists(input, new Linker(input, { maskKeys })));
  return embedder;
}

/** Finds the stored commits the pairs name, by lower-case SHA. */
async function commitsOf(store: Store, input: LinkingInput, pairs: readonly LinkPair[]): Promise<Map<string, ActivityRecord>> {
  const shas = [...new Set(pairs.map((p) => p.commitSha))];
  const ids = await store.activities.idsBySourceUid(shas.map((sha) => `git:${sha}`));
  const byId = new Map(input.activities.map((a) => [a.id, a]));
  const result = new Map<string, ActivityRecord>();
  for (const sha of shas) {
    const activity = byId.get(ids.get(`git:${sha}`) ?? -1);
    if (activity !== undefined) result.set(sha, activity);
  }
  return result;
}

function formatPairs(m: ReturnType<typeof evaluatePairs>, model: string): string {
  return [
    `model: ${model}`,
    `pairs: ${String(m.pairs)}; skipped: ${String(m.skipped_unknown_issue)} with an issue not imported, ${String(m.skipped_unknown_commit)} with a commit not imported`,
    `scored ${String(m.evaluated)} pairs (${String(m.positives)} linked): precision ${String(m.precision)}, recall ${String(m.recall)}, F1 ${String(m.f1)} at confidence ${String(m.threshold)}`,
  ].join("\n") + "\n";
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new WorklensError("NOT_FOUND", `cannot read ${file}`, "check the path", { cause: error });
  }
}
