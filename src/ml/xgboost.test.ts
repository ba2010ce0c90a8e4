import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { Dataset, Objective, TrainParams } from "./backend.js";
import { GbdtModel } from "./gbdt.js";
import { loadXGBoost, xgboostStatus } from "./xgboost.js";
import { syntheticDataset } from "./test-support/synthetic.js";

const backend = loadXGBoost();
const FEATURES = 8;

const PARAMS: Omit<TrainParams, "objective"> = { rounds: 40, maxDepth: 4, eta: 0.3, seed: 7, threads: 2, subsample: 0.9, colsampleByTree: 0.9 };

function rowOf(data: Dataset, row: number): Float32Array {
  const columns = data.featureNames.length;
  return data.rows.subarray(row * columns, (row + 1) * columns);
}

function trainAndTest(objective: Objective): { model: GbdtModel; json: unknown; test: Dataset; train: Dataset } {
  const train = syntheticDataset({ rows: 3_000, features: FEATURES, objective, seed: 11 });
  const test = syntheticDataset({ rows: 1_000, features: FEATURES, objective, seed: 12 });
  const json = backend.train(train, { ...PARAMS, objective });
  return { model: GbdtModel.fromJson(json), json, test, train };
}

function maxAbsoluteDifference(model: GbdtModel, native: Float32Array, data: Dataset): number {
  let max = 0;
  for (let row = 0; row < data.labels.length; row += 1) {
    max = Math.max(max, Math.abs(model.predict(rowOf(data, row)) - (native[row] ?? Number.NaN)));
  }
  return max;
}

describe.each<Objective>(["binary:logistic", "reg:squarederror", "reg:absoluteerror", "rank:pairwise", "rank:ndcg"])("XGBoost %s", (objective) => {
  const { model, json, test, train } = trainAndTest(objective);

  it("saves feature names and objective", () => {
    expect(model.objective).toBe(objective);
    expect(model.featureNames).toEqual(train.featureNames);
    expect(model.featureCount).toBe(FEATURES);
  });

  it("TypeScript predictions match XGBoost", () => {
    const nativeTrain = backend.predict(json, train.rows, FEATURES);
    const nativeTest = backend.predict(json, test.rows, FEATURES);
    expect(nativeTrain.length).toBe(train.labels.length);
    expect(maxAbsoluteDifference(model, nativeTrain, train)).toBeLessThan(1e-5);
    expect(maxAbsoluteDifference(model, nativeTest, test)).toBeLessThan(1e-5);
  });

  it("contributions sum to the margin", () => {
    for (let row = 0; row < test.labels.length; row += 1) {
      const values = rowOf(test, row);
      const { bias, values: contributions } = model.contributions(values);
      const sum = contributions.reduce((total, value) => total + value, bias);
      expect(Math.abs(sum - model.margin(values))).toBeLessThan(1e-6);
    }
  });
});

describe("learned models against trivial ones", () => {
  it("binary:logistic has a held-out AUC well above 0.5", () => {
    const { model, test } = trainAndTest("binary:logistic");
    const scores = test.labels.map((_, row) => model.predict(rowOf(test, row)));
    expect(auc(scores, test.labels)).toBeGreaterThan(0.85);
  });

  it("reg:squarederror beats predicting the mean", () => {
    const { model, test, train } = trainAndTest("reg:squarederror");
    const mean = train.labels.reduce((sum, y) => sum + y, 0) / train.labels.length;
    const learned = meanAbsoluteError(test, (row) => model.predict(rowOf(test, row)));
    const trivial = meanAbsoluteError(test, () => mean);
    expect(learned).toBeLessThan(trivial * 0.6);
  });

  it("reg:absoluteerror beats predicting the median", () => {
    const { model, test, train } = trainAndTest("reg:absoluteerror");
    const sorted = Float32Array.from(train.labels).sort();
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const learned = meanAbsoluteError(test, (row) => model.predict(rowOf(test, row)));
    const trivial = meanAbsoluteError(test, () => median);
    expect(learned).toBeLessThan(trivial * 0.6);
  });

  it("rank:ndcg orders most pairs within a group", () => {
    const { model, test } = trainAndTest("rank:ndcg");
    expect(pairwiseAccuracy(model, test)).toBeGreaterThan(0.8);
  });
});

describe("XGBoost training input checks", () => {
  const data = syntheticDataset({ rows: 100, features: 5, objective: "binary:logistic", seed: 3 });
  const params: TrainParams = { ...PARAMS, objective: "binary:logistic", rounds: 2 };

  it("rejects an infinite feature value", () => {
    const rows = Float32Array.from(data.rows);
    rows[12] = Infinity;
    expect(() => backend.train({ ...data, rows }, params)).toThrow(/row 2, feature 2 is Infinity/);
  });

  it("rejects ranking without groups", () => {
    expect(() => backend.train(data, { ...params, objective: "rank:ndcg" })).toThrow(/groups is missing/);
  });

  it("rejects groups that do not cover the rows", () => {
    expect(() => backend.train({ ...data, groups: [50, 40] }, { ...params, objective: "rank:ndcg" })).toThrow(/add up to 90 rows, but there are 100/);
  });

  it("rejects a label outside [0, 1]", () => {
    const labels = Float32Array.from(data.labels);
    labels[5] = 2;
    expect(() => backend.train({ ...data, labels }, params)).toThrow(/label of row 5 is 2/);
  });

  it("rejects an out-of-range parameter", () => {
    expect(() => backend.train(data, { ...params, eta: 0 })).toThrow(/training parameter eta is 0/);
    expect(() => backend.train(data, { ...params, rounds: 1.5 })).toThrow(/training parameter rounds is 1.5/);
  });

  it("rejects duplicate feature names", () => {
    const featureNames = ["a", "b", "c", "d", "a"];
    expect(() => backend.train({ ...data, featureNames }, params)).toThrow(/featureNames\[4\] "a" is a duplicate/);
  });

  it("trains with per-group weights", () => {
    const ranking = syntheticDataset({ rows: 200, features: 5, objective: "rank:ndcg", seed: 4, groupSize: 10 });
    const weights = Float32Array.from({ length: 20 }, (_, i) => 1 + (i % 3));
    const model = GbdtModel.fromJson(backend.train({ ...ranking, weights }, { ...params, objective: "rank:ndcg" }));
    expect(model.objective).toBe("rank:ndcg");
  });

  it("rejects per-row weights for ranking", () => {
    const ranking = syntheticDataset({ rows: 200, features: 5, objective: "rank:ndcg", seed: 4, groupSize: 10 });
    const weights = new Float32Array(200).fill(1);
    expect(() => backend.train({ ...ranking, weights }, { ...params, objective: "rank:ndcg" })).toThrow(/expected one per group \(20\)/);
  });

  it("predict rejects a row width that differs from the model", () => {
    const json = backend.train(data, params);
    expect(() => backend.predict(json, new Float32Array(12), 4)).toThrow(/4 features per row, but the model has 5/);
  });
});

describe("loading XGBoost", () => {
  it("reports the installed version", () => {
    const status = xgboostStatus();
    expect(status.available).toBe(true);
    if (status.available) expect(status.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(backend.name).toBe("xgboost");
  });

  it("throws UNAVAILABLE for a missing library", () => {
    const error = catchError(() => loadXGBoost({ library: "/nonexistent/libxgboost.so.0" }));
    expect(error).toBeInstanceOf(WorklensError);
    expect(error?.code).toBe("UNAVAILABLE");
    expect(error?.message).toContain("/nonexistent/libxgboost.so.0");
    expect(error?.hint).toContain("apt-get install libxgboost0");
  });

  it("status names the install command", () => {
    const status = xgboostStatus({ library: "/nonexistent/libxgboost.so.0" });
    expect(status.available).toBe(false);
    if (!status.available) expect(status.install).toContain("apt-get install libxgboost0");
  });
});

function catchError(action: () => unknown): WorklensError | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  return undefined;
}

/** Area under the ROC curve by the rank-sum formula; tied scores keep an arbitrary order. */
function auc(scores: Float32Array, labels: Float32Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let negativesBelow = 0;
  let sum = 0;
  for (const index of order) {
    if (labels[index] === 1) {
      positives += 1;
      sum += negativesBelow;
    } else {
      negativesBelow += 1;
    }
  }
  return sum / (positives * negativesBelow);
}

function meanAbsoluteError(data: Dataset, predict: (row: number) => number): number {
  let total = 0;
  for (let row = 0; row < data.labels.length; row += 1) total += Math.abs(predict(row) - (data.labels[row] ?? 0));
  return total / data.labels.length;
}

/** Share of pairs in the same group with different grades that the model orders like the grades. */
function pairwiseAccuracy(model: GbdtModel, data: Dataset): number {
  let correct = 0;
  let pairs = 0;
  let start = 0;
  for (const size of data.groups ?? []) {
    for (let i = start; i < start + size; i += 1) {
      for (let j = start; j < start + size; j += 1) {
        if ((data.labels[i] ?? 0) <= (data.labels[j] ?? 0)) continue;
        pairs += 1;
        if (model.predict(rowOf(data, i)) > model.predict(rowOf(data, j))) correct += 1;
      }
    }
    start += size;
  }
  return correct / pairs;
}
