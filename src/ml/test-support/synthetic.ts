import type { Dataset, Objective } from "../backend.js";

/**
 * Seeded synthetic training sets for the ml tests and the models benchmark. The
 * label depends on a few features through a nonlinear score plus noise, so a
 * learned model can beat a constant one, and a share of values is NaN so the
 * trees learn default directions.
 */

export interface SyntheticOptions {
  rows: number;
  features: number;
  objective: Objective;
  seed: number;
  /** Share of feature values replaced by NaN; default 0.1. */
  missingRate?: number;
  /** Rows per query group for the ranking objectives; default 20. */
  groupSize?: number;
}

/** mulberry32: a small seeded generator, so a seed gives the same data on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Generates `rows` rows of `features` features in [-1, 1) with labels for `objective`. */
export function syntheticDataset(options: SyntheticOptions): Dataset {
  const { rows, features, objective } = options;
  if (features < 5) throw new RangeError(`syntheticDataset needs at least 5 features, got ${features}`);
  const random = seededRandom(options.seed);
  const missingRate = options.missingRate ?? 0.1;
  const values = new Float32Array(rows * features);
  const scores = new Float64Array(rows);
  for (let row = 0; row < rows; row += 1) {
    const x = new Float64Array(features);
    for (let column = 0; column < features; column += 1) {
      const value = random() * 2 - 1;
      x[column] = value;
      values[row * features + column] = random() < missingRate ? Number.NaN : value;
    }
    scores[row] = trueScore(x) + (random() - 0.5) * 0.5;
  }

  const featureNames = Array.from({ length: features }, (_, i) => `f${i}`);
  const base = { featureNames, rows: values };
  if (objective === "binary:logistic") return { ...base, labels: Float32Array.from(scores, (s) => (s > 0 ? 1 : 0)) };
  if (objective === "reg:squarederror" || objective === "reg:absoluteerror") return { ...base, labels: Float32Array.from(scores) };
  const groups = groupSizes(rows, options.groupSize ?? 20);
  return { ...base, labels: relevanceGrades(scores, groups), groups };
}

/** Computes the noiseless score behind every label from features 0 to 4, so the rest are noise for the trees. */
export function trueScore(x: ArrayLike<number>): number {
  const at = (i: number) => x[i] ?? 0;
  return 2 * at(0) - at(1) + 1.5 * at(2) * at(3) + Math.sin(3 * at(4));
}

function groupSizes(rows: number, size: number): number[] {
  const groups: number[] = [];
  for (let start = 0; start < rows; start += size) groups.push(Math.min(size, rows - start));
  return groups;
}

/** Grades 0 to 3 by rank inside each group: the top quarter of scores gets 3. */
function relevanceGrades(scores: Float64Array, groups: readonly number[]): Float32Array {
  const labels = new Float32Array(scores.length);
  let start = 0;
  for (const size of groups) {
    const order = Array.from({ length: size }, (_, i) => start + i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
    for (const [rank, row] of order.entries()) labels[row] = Math.floor((rank * 4) / size);
    start += size;
  }
  return labels;
}
