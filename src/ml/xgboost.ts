import { WorklensError } from "../domain/errors.js";
import type { Dataset, TrainingBackend, TrainParams } from "./backend.js";
import { GbdtModel } from "./gbdt.js";
import { stringifyXGBoostModel } from "./xgboost-json.js";
import { checkDataset, checkParams, isRanking } from "./training-checks.js";
import {
  allocFloats,
  check,
  copyFloats,
  decodeText,
  DEFAULT_XGBOOST_LIBRARY,
  freeNative,
  loadXGBoostLibrary,
  out,
  toCount,
  type Handle,
  type XGBoostApi,
  type XGBoostLibrary,
} from "./xgboost-library.js";

/**
 * The training backend on XGBoost's C API (tested with Debian 12's libxgboost0
 * 1.7.4), called through koffi. Training builds a DMatrix, boosts one round at a
 * time and saves the model in XGBoost's JSON format, which `GbdtModel` predicts
 * from without the library.
 */

export interface XGBoostOptions {
  /** Path or soname of the shared library; default `libxgboost.so.0`, found by the dynamic loader. */
  library?: string | undefined;
}

export type XGBoostStatus = { available: true; version: string } | { available: false; reason: string; install: string };

/** Loads XGBoost; throws UNAVAILABLE with the install command when the library cannot be loaded. */
export function loadXGBoost(options: XGBoostOptions = {}): TrainingBackend {
  return new XGBoostBackend(loadXGBoostLibrary(options.library ?? DEFAULT_XGBOOST_LIBRARY));
}

/** Reports whether XGBoost can be loaded, for status pages and `doctor`-style commands. */
export function xgboostStatus(options: XGBoostOptions = {}): XGBoostStatus {
  try {
    return { available: true, version: loadXGBoostLibrary(options.library ?? DEFAULT_XGBOOST_LIBRARY).version };
  } catch (error) {
    if (!(error instanceof WorklensError) || error.code !== "UNAVAILABLE") throw error;
    return { available: false, reason: error.message, install: error.hint ?? "" };
  }
}

/** Prediction config of XGBoosterPredictFromDense: type 0 is the transformed output (a probability for binary:logistic). */
const PREDICT_CONFIG = '{"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false,"missing":NaN,"cache_id":0}';

class XGBoostBackend implements TrainingBackend {
  readonly name = "xgboost";
  readonly version: string;
  private readonly api: XGBoostApi;

  constructor(library: XGBoostLibrary) {
    this.api = library.api;
    this.version = library.version;
  }

  train(data: Dataset, params: TrainParams): unknown {
    checkParams(params);
    checkDataset(data, params.objective);
    const api = this.api;
    const matrix = this.createMatrix(data, isRanking(params.objective));
    try {
      const created = out<Handle>(null);
      check(api, "XGBoosterCreate", api.XGBoosterCreate([matrix], 1, created));
      const booster = created[0];
      try {
        for (const [name, value] of boosterParams(params)) check(api, `XGBoosterSetParam(${name})`, api.XGBoosterSetParam(booster, name, value));
        // The booster keeps its own copy of the names, which the JSON model stores in learner.feature_names.
        check(api, "XGBoosterSetStrFeatureInfo", api.XGBoosterSetStrFeatureInfo(booster, "feature_name", data.featureNames, data.featureNames.length));
        for (let round = 0; round < params.rounds; round += 1) {
          check(api, `XGBoosterUpdateOneIter(round ${round})`, api.XGBoosterUpdateOneIter(booster, round, matrix));
        }
        return JSON.parse(this.saveJson(booster));
      } finally {
        api.XGBoosterFree(booster);
      }
    } finally {
      api.XGDMatrixFree(matrix);
    }
  }

  /**
   * Predicts with XGBoost's in-place prediction on a dense float32 array. The
   * DMatrix path would reject ±Infinity, which the trees route like any other
   * value, so in-place prediction is the one that covers every row `GbdtModel` takes.
   */
  predict(model: unknown, rows: Float32Array, featureCount: number): Float32Array {
    const parsed = GbdtModel.fromJson(model);
    if (!Number.isInteger(featureCount) || featureCount < 1 || rows.length % featureCount !== 0) {
      throw new WorklensError("INVALID_INPUT", `prediction input: ${rows.length} values do not split into rows of ${featureCount} features`, "pass whole rows, row-major");
    }
    if (featureCount !== parsed.featureCount) {
      throw new WorklensError("INVALID_INPUT", `prediction input has ${featureCount} features per row, but the model has ${parsed.featureCount}`, "build rows with the model's features");
    }
    const count = rows.length / featureCount;
    if (count === 0) return new Float32Array(0);

    const api = this.api;
    const created = out<Handle>(null);
    check(api, "XGBoosterCreate", api.XGBoosterCreate([], 0, created));
    const booster = created[0];
    const input = allocFloats(rows);
    try {
      const text = Buffer.from(typeof model === "string" ? model : stringifyXGBoostModel(model), "utf8");
      check(api, "XGBoosterLoadModelFromBuffer", api.XGBoosterLoadModelFromBuffer(booster, text, text.length));
      const arrayInterface = JSON.stringify({ data: [Number(input.address), true], shape: [count, featureCount], typestr: "<f4", version: 3 });
      const shape = out<Handle>(null);
      const dimensions = out<number | bigint>(0);
      const result = out<Handle>(null);
      check(api, "XGBoosterPredictFromDense", api.XGBoosterPredictFromDense(booster, arrayInterface, PREDICT_CONFIG, null, shape, dimensions, result));
      // The result buffer belongs to the booster, so it is copied before the booster is freed.
      return copyFloats(result[0], count);
    } finally {
      freeNative(input.pointer);
      api.XGBoosterFree(booster);
    }
  }

  /** Builds the DMatrix; query groups are set only for the ranking objectives, which are the ones that read them. */
  private createMatrix(data: Dataset, ranking: boolean): Handle {
    const api = this.api;
    const rows = data.labels.length;
    const columns = data.featureNames.length;
    const created = out<Handle>(null);
    check(api, "XGDMatrixCreateFromMat", api.XGDMatrixCreateFromMat(data.rows, rows, columns, Number.NaN, created));
    const matrix = created[0];
    try {
      check(api, "XGDMatrixSetFloatInfo(label)", api.XGDMatrixSetFloatInfo(matrix, "label", data.labels, rows));
      if (ranking && data.groups !== undefined) {
        const groups = Uint32Array.from(data.groups);
        check(api, "XGDMatrixSetUIntInfo(group)", api.XGDMatrixSetUIntInfo(matrix, "group", groups, groups.length));
      }
      if (data.weights !== undefined) {
        check(api, "XGDMatrixSetFloatInfo(weight)", api.XGDMatrixSetFloatInfo(matrix, "weight", data.weights, data.weights.length));
      }
      check(api, "XGDMatrixSetStrFeatureInfo", api.XGDMatrixSetStrFeatureInfo(matrix, "feature_name", data.featureNames, columns));
      return matrix;
    } catch (error) {
      api.XGDMatrixFree(matrix);
      throw error;
    }
  }

  private saveJson(booster: Handle): string {
    const api = this.api;
    const length = out<number | bigint>(0);
    const buffer = out<Handle>(null);
    check(api, "XGBoosterSaveModelToBuffer", api.XGBoosterSaveModelToBuffer(booster, '{"format":"json"}', length, buffer));
    return decodeText(buffer[0], toCount(length[0]));
  }
}

/** XGBoost's parameter names and values for `params`; unset optional parameters keep XGBoost's defaults. */
function boosterParams(params: TrainParams): [string, string][] {
  const entries: [string, string][] = [
    ["objective", params.objective],
    ["tree_method", "hist"],
    ["max_depth", String(params.maxDepth)],
    ["eta", String(params.eta)],
    ["seed", String(params.seed)],
  ];
  if (params.minChildWeight !== undefined) entries.push(["min_child_weight", String(params.minChildWeight)]);
  if (params.subsample !== undefined) entries.push(["subsample", String(params.subsample)]);
  if (params.colsampleByTree !== undefined) entries.push(["colsample_bytree", String(params.colsampleByTree)]);
  if (params.lambda !== undefined) entries.push(["lambda", String(params.lambda)]);
  if (params.threads !== undefined && params.threads > 0) entries.push(["nthread", String(params.threads)]);
  return entries;
}
