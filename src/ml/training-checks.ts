import { WorklensError } from "../domain/errors.js";
import type { Dataset, Objective, TrainParams } from "./backend.js";

/**
 * Checks of a training set and its parameters before any native call, so a bad
 * input fails with a message naming the row, field or parameter instead of
 * XGBoost's C++ assertion text.
 */

export function isRanking(objective: Objective): boolean {
  return objective.startsWith("rank:");
}

/** Throws INVALID_INPUT naming the first problem of `data` for `objective`. */
export function checkDataset(data: Dataset, objective: Objective): void {
  const columns = data.featureNames.length;
  const rows = data.labels.length;
  if (columns === 0) throw invalid("featureNames is empty", "give at least one feature");
  if (rows === 0) throw invalid("labels is empty", "give at least one row to train on");
  if (data.rows.length !== rows * columns) {
    throw invalid(
      `rows has ${data.rows.length} values, expected ${rows * columns} (${rows} labels × ${columns} features)`,
      "store the values row-major, one row per label",
    );
  }
  checkFeatureNames(data.featureNames);
  checkValues(data.rows, columns);
  checkLabels(data.labels, objective);
  const groupCount = isRanking(objective) ? checkGroups(data.groups, rows, objective) : undefined;
  if (data.weights !== undefined) checkWeights(data.weights, groupCount ?? rows, groupCount === undefined ? "rows" : "groups");
}

/** Throws INVALID_INPUT naming the first parameter outside its range. */
export function checkParams(params: TrainParams): void {
  requireInteger("rounds", params.rounds, 1, 100_000);
  requireInteger("maxDepth", params.maxDepth, 1, 64);
  requireInteger("seed", params.seed, 0, 2 ** 31 - 1);
  requireRange("eta", params.eta, 0, 1, false);
  if (params.minChildWeight !== undefined) requireRange("minChildWeight", params.minChildWeight, 0, Number.MAX_VALUE, true);
  if (params.subsample !== undefined) requireRange("subsample", params.subsample, 0, 1, false);
  if (params.colsampleByTree !== undefined) requireRange("colsampleByTree", params.colsampleByTree, 0, 1, false);
  if (params.lambda !== undefined) requireRange("lambda", params.lambda, 0, Number.MAX_VALUE, true);
  if (params.threads !== undefined) requireInteger("threads", params.threads, 0, 1_024);
}

/** XGBoost rejects duplicate names and, in its Python package, names with "[", "]" or "<", which its text dumps use. */
function checkFeatureNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name.length === 0) throw invalid(`featureNames[${index}] is empty`, "name every feature");
    if (/[[\]<]/.test(name)) throw invalid(`featureNames[${index}] "${name}" contains "[", "]" or "<"`, "rename the feature without those characters");
    if (seen.has(name)) throw invalid(`featureNames[${index}] "${name}" is a duplicate`, "give every feature a distinct name");
    seen.add(name);
  }
}

/** XGBoost 1.7's DMatrix rejects ±Infinity ("Input data contains `inf`"); NaN is a missing value. */
function checkValues(values: Float32Array, columns: number): void {
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] ?? 0;
    if (value === Infinity || value === -Infinity) {
      throw invalid(
        `row ${Math.floor(i / columns)}, feature ${i % columns} is ${value} (values above 3.4e38 become infinite in float32)`,
        "clip the feature to a finite range or store NaN for a missing value",
      );
    }
  }
}

function checkLabels(labels: Float32Array, objective: Objective): void {
  for (const [row, label] of labels.entries()) {
    if (!Number.isFinite(label)) throw invalid(`label of row ${row} is ${label}`, "give every row a finite label");
    if (objective === "binary:logistic" && (label < 0 || label > 1)) {
      throw invalid(`label of row ${row} is ${label}, outside [0, 1] for binary:logistic`, "use 1 for positive rows and 0 for negative rows");
    }
    if (isRanking(objective) && label < 0) {
      throw invalid(`label of row ${row} is ${label}, negative for ${objective}`, "use relevance grades of 0 or more");
    }
  }
}

/** Returns the number of groups. */
function checkGroups(groups: readonly number[] | undefined, rows: number, objective: Objective): number {
  if (groups === undefined || groups.length === 0) throw invalid(`groups is missing, and ${objective} needs query groups`, "give the size of each query group in row order");
  let total = 0;
  for (const [index, size] of groups.entries()) {
    if (!Number.isInteger(size) || size < 1) throw invalid(`groups[${index}] is ${size}`, "give every group a whole number of rows, at least 1");
    total += size;
  }
  if (total !== rows) throw invalid(`groups add up to ${total} rows, but there are ${rows} rows`, "make the group sizes cover every row exactly once");
  return groups.length;
}

function checkWeights(weights: Float32Array, expected: number, unit: "rows" | "groups"): void {
  if (weights.length !== expected) {
    throw invalid(`weights has ${weights.length} values, expected one per ${unit.slice(0, -1)} (${expected})`, `give one weight per ${unit.slice(0, -1)}`);
  }
  for (const [index, weight] of weights.entries()) {
    if (!Number.isFinite(weight) || weight < 0) throw invalid(`weights[${index}] is ${weight}`, "use finite weights of 0 or more");
  }
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParam(name, value, `use a whole number from ${min} to ${max}`);
  }
}

/** Checks `value` against (min, max], or [min, max] when `minIncluded`. */
function requireRange(name: string, value: number, min: number, max: number, minIncluded: boolean): void {
  const aboveMin = minIncluded ? value >= min : value > min;
  if (!Number.isFinite(value) || !aboveMin || value > max) {
    const range = max === Number.MAX_VALUE ? `${min} or more` : `${minIncluded ? "from" : "above"} ${min}, up to ${max}`;
    throw invalidParam(name, value, `use a number ${range}`);
  }
}

function invalid(problem: string, hint: string): WorklensError {
  return new WorklensError("INVALID_INPUT", `training data: ${problem}`, hint);
}

function invalidParam(name: string, value: number, hint: string): WorklensError {
  return new WorklensError("INVALID_INPUT", `training parameter ${name} is ${value}`, hint);
}
