import { nextDay, startOfDay } from "../domain/time.js";
import { evaluateLinking } from "../linking/evaluate.js";
import { LearnedLinker } from "../linking/learned-linker.js";
import { Linker } from "../linking/linker.js";
import { currentLinkingArtifact, parseLinkingArtifact, tenantEmbedder } from "../linking/model-choice.js";
import { loadLinkingInput } from "../linking/run-linking.js";
import { DEFAULT_RANKER_TRAINING, trainRanker } from "../linking/train-ranker.js";
import type { Store } from "../store/store.js";
import type { DayWindow, ErrorMeasure, ModelArtifact, ModelTrainer } from "./trainer.js";

/**
 * Model 1 in the registry. Its labels are the activities that name their issue, with
 * the key hidden; its error is the share of them whose issue the model does not rank
 * first, on every activity kind it trains on.
 */
export const linkingTrainer: ModelTrainer = {
  kind: "linking",

  async train(store, backend, window) {
    const input = await loadLinkingInput(store);
    const artifact = trainRanker(input, backend, await tenantEmbedder(store), {
      ...DEFAULT_RANKER_TRAINING,
      after: startOfDay(window.from, "UTC"),
      before: startOfDay(nextDay(window.to), "UTC"),
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
