import type { BenchConfig } from "../config.js";
import { formatCount, formatMs, formatRate, formatRatio, medianOfRuns, progress } from "../harness.js";
import { median } from "../measure.js";
import type { Section } from "../report.js";
import type { Dataset, Objective, TrainingBackend, TrainParams } from "../../ml/backend.js";
import { GbdtModel } from "../../ml/gbdt.js";
import { syntheticDataset } from "../../ml/test-support/synthetic.js";
import { loadXGBoost, xgboostStatus } from "../../ml/xgboost.js";

const FEATURES = 40;
const GROUP_SIZE = 20;
const FULL = { rows: 100_000, rounds: 300 };
const QUICK = { rows: 10_000, rounds: 30 };

interface ModelMeasurement {
  objective: Objective;
  trainMs: number;
  trees: number;
  nativeMs: number;
  parseMs: number;
  typescriptMs: number;
  maxDifference: number;
}

/**
 * Times XGBoost training through koffi on generated data, then batch prediction of
 * the training rows by XGBoost's in-place prediction and by `GbdtModel`, and the
 * largest difference between the two. Runs in the benchmark's own process.
 */
export function benchModels(config: BenchConfig): Section {
  const title = "Models: XGBoost training and TypeScript prediction";
  const status = xgboostStatus();
  if (!status.available) return { title, blocks: [`Not measured: ${status.reason}. ${status.install}.`] };

  const sizes = config.quick ? QUICK : FULL;
  const backend = loadXGBoost();
  const params = { rounds: sizes.rounds, maxDepth: 6, eta: 0.1, subsample: 0.8, colsampleByTree: 0.8, seed: config.seed, threads: 1 };
  const measurements = (["binary:logistic", "rank:ndcg"] as const).map((objective) => {
    const data = syntheticDataset({ rows: sizes.rows, features: FEATURES, objective, seed: config.seed, groupSize: GROUP_SIZE });
    return measureModel(backend, data, { ...params, objective }, config.repeats.models);
  });

  const row = (m: ModelMeasurement): string[] => [
    `\`${m.objective}\``,
    formatMs(m.trainMs),
    formatCount(m.trees),
    formatRate(sizes.rows, m.nativeMs),
    formatMs(m.parseMs),
    formatRate(sizes.rows, m.typescriptMs),
    formatRatio(m.typescriptMs, m.nativeMs),
    m.maxDifference.toExponential(1),
  ];
  return {
    title,
    blocks: [
      `XGBoost ${backend.version} (\`tree_method\` hist, one thread, so the time does not depend on how busy the other cores are) trains on ${formatCount(sizes.rows)} generated rows × ${FEATURES} features ` +
        `(10% missing), ${sizes.rounds} rounds of depth 6, eta 0.1, subsample and colsample_bytree 0.8; \`rank:ndcg\` has query groups of ${GROUP_SIZE} rows. ` +
        `Training runs once. Prediction scores the same ${formatCount(sizes.rows)} rows, ${medianOfRuns(config.repeats.models)}: XGBoost's in-place ` +
        "prediction (`XGBoosterPredictFromDense`, all cores, loading the JSON model included) and `GbdtModel.predict` one row at a time in a single thread. " +
        "The last column is the largest absolute difference between the two predictions over all rows.",
      {
        headers: ["objective", "train", "trees", "XGBoost rows/s", "`GbdtModel.fromJson`", "TypeScript rows/s", "TypeScript ÷ XGBoost time", "max difference"],
        rows: measurements.map(row),
      },
    ],
  };
}

/** Trains once, since training takes the longest, and predicts `runs` times. */
function measureModel(backend: TrainingBackend, data: Dataset, params: TrainParams, runs: number): ModelMeasurement {
  progress(`  models: training ${params.objective} on ${formatCount(data.labels.length)} rows`);
  const started = performance.now();
  const json = backend.train(data, params);
  const trainMs = performance.now() - started;
  progress(`  models: ${params.objective} trained in ${formatMs(trainMs)}`);

  const columns = data.featureNames.length;
  let native: Float32Array = new Float32Array(0);
  let typescript: Float64Array = new Float64Array(0);
  const nativeTimes: number[] = [];
  const parseTimes: number[] = [];
  const typescriptTimes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    let mark = performance.now();
    native = backend.predict(json, data.rows, columns);
    nativeTimes.push(performance.now() - mark);

    mark = performance.now();
    const model = GbdtModel.fromJson(json);
    parseTimes.push(performance.now() - mark);

    mark = performance.now();
    typescript = predictAll(model, data.rows, columns);
    typescriptTimes.push(performance.now() - mark);
  }

  let maxDifference = 0;
  for (const [index, value] of typescript.entries()) maxDifference = Math.max(maxDifference, Math.abs(value - (native[index] ?? Number.NaN)));
  return {
    objective: params.objective,
    trainMs,
    trees: treeCount(json),
    nativeMs: median(nativeTimes),
    parseMs: median(parseTimes),
    typescriptMs: median(typescriptTimes),
    maxDifference,
  };
}

function predictAll(model: GbdtModel, rows: Float32Array, columns: number): Float64Array {
  const count = rows.length / columns;
  const predictions = new Float64Array(count);
  for (let row = 0; row < count; row += 1) predictions[row] = model.predict(rows.subarray(row * columns, (row + 1) * columns));
  return predictions;
}

function treeCount(json: unknown): number {
  const trees = (json as { learner?: { gradient_booster?: { model?: { trees?: unknown[] } } } }).learner?.gradient_booster?.model?.trees;
  return trees?.length ?? 0;
}
