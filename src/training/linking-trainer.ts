import { nextDay, startOfDay } from "../domain/time.js";
import { evaluateLinking } from "../linking/evaluate.js";
import { LearnedLinker } from "../linking/learned-linker.js";
import { Linker } from "../linking/linker.js";
import { BUNDLED_LINKING_MODEL, configuredEmbedder, currentLinkingArtifact, parseLinkingArtifact, readLinkingArtifact, tenantEmbedder } from "../linking/model-choice.js";
import { loadLinkingInput } from "../linking/run-linking.js";
import type { ActivityLinker } from "../linking/learned-linker.js";
import type { LinkingInput } from "../linking/linker.js";
import { DEFAULT_RANKER_TRAINING, feedbackExamples, linkingExamples, trainRanker, type LinkingExample } from "../linking/train-ranker.js";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import { deriveLinkFeedback } from "./link-feedback.js";
import type { DayWindow, ErrorMeasure, ModelArtifact, ModelTrainer } from "./trainer.js";

/** Fewer examples than this cannot both train the ranker and calibrate its confidence. */
const MIN_EXAMPLES = 20;

/**
 * Model 1 in the registry. Its labels are the activities that name their issue, with
 * the key hidden, and the ranked links people reviewed (`deriveLinkFeedback`). Its
 * error is the share of labelled activities it gets wrong, over every activity kind
 * it trains on. Wrong means a named issue not ranked first, a reviewed activity not
 * linked to an issue the person confirmed, or a linked activity whose every issue was rejected.
 */
export const linkingTrainer: ModelTrainer = {
  kind: "linking",

  async train(store, backend, window) {
    const input = await loadLinkingInput(store);
    const after = startOfDay(window.from, "UTC");
    const before = startOfDay(nextDay(window.to), "UTC");
    const examples = linkingExamples(input, DEFAULT_RANKER_TRAINING.kinds).filter((e) => e.activity.startAt >= after && e.activity.startAt < before);
    const { feedback } = await deriveLinkFeedback(store, input, window);
    const reviewed = feedbackExamples(feedback, DEFAULT_RANKER_TRAINING.kinds, examples).length;
    if (examples.length + reviewed < MIN_EXAMPLES) {
      throw new WorklensError(
        "NOT_FOUND",
        `only ${String(examples.length)} activities from ${window.from} to ${window.to} name an imported issue and ${String(reviewed)} have reviewed links; the linking model needs at least ${String(MIN_EXAMPLES)} together`,
        "import more history, review more suggestions, or pass --today a day after your data",
      );
    }
    const artifact = trainRanker(input, backend, await tenantEmbedder(store), {
      ...DEFAULT_RANKER_TRAINING,
      after,
      before,
      feedback,
      now: new Date(),
    });
    return artifact satisfies ModelArtifact;
  },

  async evaluate(store, artifact, window) {
    return linkingError(store, artifact, window);
  },

  async unregisteredDefault(store) {
    // The bundled model serves only where the configured embedding is the one it was trained with.
    const bundled = readLinkingArtifact(BUNDLED_LINKING_MODEL);
    const embedder = await configuredEmbedder(store);
    return bundled.embedding === embedder.name ? { artifact: bundled satisfies ModelArtifact, name: "bundled linking model" } : undefined;
  },

  async observedError(store, window) {
    // The model serving suggestions now: the live one, else the bundled one.
    return linkingError(store, await currentLinkingArtifact(store), window);
  },
};

async function linkingError(store: Store, artifact: ModelArtifact | null, window: DayWindow): Promise<ErrorMeasure> {
  const input = await loadLinkingInput(store);
  const linker =
    artifact === null
      ? new Linker(input, { maskKeys: true })
      : new LearnedLinker(input, parseLinkingArtifact(artifact, `linking model ${String(artifact.version)}`), await tenantEmbedder(store), { maskKeys: true });
  const { metrics } = evaluateLinking(input, {
    maskKeys: true,
    kinds: DEFAULT_RANKER_TRAINING.kinds.slice(),
    model: linker,
    from: startOfDay(window.from, "UTC"),
    to: startOfDay(nextDay(window.to), "UTC"),
  });
  const reviewed = await reviewedExamples(store, input, window);
  const misses = Math.round(metrics.n * (1 - metrics.hit_at_1)) + reviewed.filter((example) => !linkedRight(linker, example)).length;
  const n = metrics.n + reviewed.length;
  return { error: n === 0 ? 0 : misses / n, n };
}

/** Returns the reviewed ranked links of the window as examples of the kinds the model trains on. */
async function reviewedExamples(store: Store, input: LinkingInput, window: DayWindow): Promise<LinkingExample[]> {
  const { feedback } = await deriveLinkFeedback(store, input, window);
  return feedbackExamples(feedback, DEFAULT_RANKER_TRAINING.kinds, []);
}

/**
 * Checks that the linker's link agrees with the reviews. The activity must be linked
 * first to a confirmed issue, or not linked at all when all its issues were rejected.
 */
function linkedRight(linker: ActivityLinker, example: LinkingExample): boolean {
  const top = linker.link(example.activity).find((link) => link.rank === 0);
  return example.truth.size === 0 ? top === undefined : top !== undefined && example.truth.has(top.issueId);
}
