import { nextDay, startOfDay } from "../domain/time.js";
import { evaluateLinking } from "../linking/evaluate.js";
import { LearnedLinker } from "../linking/learned-linker.js";
import { Linker } from "../linking/linker.js";
import { currentLinkingArtifact, parseLinkingArtifact, tenantEmbedder } from "../linking/model-choice.js";
import { loadLinkingInput } from "../linking/run-linking.js";
import { DEFAULT_RANKER_TRAINING, linkingExamples, trainRanker } from "../linking/train-ranker.js";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import type { DayWindow, ErrorMeasure, ModelArtifact, ModelTrainer } from "./trainer.js";

/** Fewer examples than this cannot both train the ranker and calibrate its confidence. */
const MIN_EXAMPLES = 20;

/**
 * Model 1 in the registry. Its labels are the activities that name their issue, with
 * the key hidden. Its error is the share of them whose issue the model does not rank
 * first, over every activity kind it trains on.
 */
export const linkingTrainer: ModelTrainer = {
  kind: "linking",

  async train(store, backend, window) {
    const input = await loadLinkingInput(store);
    const after = startOfDay(window.from, "UTC");
    const before = startOfDay(nextDay(window.to), "UTC");
    const examples = linkingExamples(input, DEFAULT_RANKER_TRAINING.kinds).filter((e) => e.activity.startAt >= after && e.activity.startAt < before);
    if (examples.length < MIN_EXAMPLES) {
      throw new WorklensError("NOT_FOUND", `only ${String(examples.length)} activities from ${window.from} to ${window.to} name an imported issue; the linking model needs at least ${String(MIN_EXAMPLES)}`, "import more history, or pass --today a day after your data");
    }
    const artifact = trainRanker(input, backend, await tenantEmbedder(store), {
      ...DEFAULT_RANKER_TRAINING,
      after,
      before,
      now: new Date(),
    });
    return artifact satisfies ModelArtifact;
  },

  async evaluate(store, artifact, window) {
    return linkingError(store, artifact, window);
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
  return { error: metrics.n === 0 ? 0 : 1 - metrics.hit_at_1, n: metrics.n };
}
