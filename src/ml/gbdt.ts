import { z } from "zod";
import { WorklensError } from "../domain/errors.js";

/**
 * Inference of gradient-boosted trees saved in XGBoost's JSON model format (the
 * format `XGBoosterSaveModel` writes to a `.json` file, versions 1.6 and later).
 * Walking the trees takes a few dozen lines, so the demo and the server predict
 * without XGBoost or any system library. Only training needs the native library.
 */

const treeSchema = z.object({
  left_children: z.array(z.number().int()),
  right_children: z.array(z.number().int()),
  split_indices: z.array(z.number().int()),
  split_conditions: z.array(z.number()),
  default_left: z.array(z.union([z.number(), z.boolean()])),
  sum_hessian: z.array(z.number()),
});

const modelSchema = z.object({
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    learner_model_param: z.object({ base_score: z.string(), num_feature: z.string() }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.literal("gbtree", { error: "only the gbtree booster is supported" }),
      model: z.object({ trees: z.array(treeSchema) }),
    }),
  }),
});

interface Tree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** Split thresholds for inner nodes, leaf values for leaves; float32 like XGBoost's. */
  value: Float32Array;
  defaultLeft: Uint8Array;
  /** Hessian-weighted mean leaf value under each node: the node's expected output, for explanations. */
  expected: Float64Array;
}

/** Transforms from a summed margin to a prediction, by objective. */
const LINKS: Record<string, { toOutput: (margin: number) => number; toMargin: (base: number) => number }> = {
  "binary:logistic": { toOutput: (m) => 1 / (1 + Math.exp(-m)), toMargin: (p) => Math.log(p / (1 - p)) },
  "reg:logistic": { toOutput: (m) => 1 / (1 + Math.exp(-m)), toMargin: (p) => Math.log(p / (1 - p)) },
  "reg:squarederror": { toOutput: (m) => m, toMargin: (b) => b },
  "reg:absoluteerror": { toOutput: (m) => m, toMargin: (b) => b },
  "reg:pseudohubererror": { toOutput: (m) => m, toMargin: (b) => b },
  "rank:pairwise": { toOutput: (m) => m, toMargin: (b) => b },
  "rank:ndcg": { toOutput: (m) => m, toMargin: (b) => b },
  "rank:map": { toOutput: (m) => m, toMargin: (b) => b },
};

export interface Contributions {
  /** The margin every row starts from: base score plus each tree's expected output. */
  bias: number;
  /** Per feature, how much its splits moved the margin for this row (sums with `bias` to the margin). */
  values: Float64Array;
}

export class GbdtModel {
  readonly objective: string;
  readonly featureCount: number;
  readonly featureNames: readonly string[];
  private readonly trees: Tree[];
  private readonly baseMargin: number;
  private readonly link: { toOutput: (margin: number) => number };

  private constructor(readonly json: unknown, parsed: z.infer<typeof modelSchema>) {
    const learner = parsed.learner;
    this.objective = learner.objective.name;
    const link = LINKS[this.objective];
    if (!link) {
      throw new WorklensError(
        "INVALID_INPUT",
        `XGBoost JSON model: unsupported objective "${this.objective}" in learner.objective.name`,
        `train with one of ${Object.keys(LINKS).join(", ")}`,
      );
    }
    this.link = link;
    this.featureCount = Number(learner.learner_model_param.num_feature);
    this.featureNames = learner.feature_names ?? [];
    this.baseMargin = link.toMargin(parseBaseScore(learner.learner_model_param.base_score));
    this.trees = learner.gradient_booster.model.trees.map(compileTree);
  }

  /** Parse a model from XGBoost's JSON text or the object it parses to. */
  static fromJson(input: unknown): GbdtModel {
    const json = typeof input === "string" ? parseJsonText(input) : input;
    const result = modelSchema.safeParse(json, { reportInput: true });
    if (!result.success) throw notAModel(result.error.issues[0]);
    return new GbdtModel(json, result.data);
  }

  /** Returns the raw score before the objective's transform (log-odds for binary:logistic). */
  margin(row: ArrayLike<number>): number {
    let sum = this.baseMargin;
    for (const tree of this.trees) sum += tree.value[leafOf(tree, row)] ?? 0;
    return sum;
  }

  /** Returns the prediction: a probability for logistic objectives, a score or value otherwise. */
  predict(row: ArrayLike<number>): number {
    return this.link.toOutput(this.margin(row));
  }

  /**
   * Computes per-feature contributions to the margin. It follows the row's path through
   * each tree and credits every change of expected output to the feature split on
   * (Saabas's method). That is cheaper than exact Shapley values and enough to name the
   * top features of a prediction.
   */
  contributions(row: ArrayLike<number>): Contributions {
    const values = new Float64Array(this.featureCount);
    let bias = this.baseMargin;
    for (const tree of this.trees) {
      let node = 0;
      bias += tree.expected[0] ?? 0;
      while ((tree.left[node] ?? -1) !== -1) {
        const next = childOf(tree, node, row);
        const feature = tree.feature[node] ?? 0;
        values[feature] = (values[feature] ?? 0) + (tree.expected[next] ?? 0) - (tree.expected[node] ?? 0);
        node = next;
      }
    }
    return { bias, values };
  }
}

/** Reads base_score, which XGBoost 1.7 writes as "5E-1" and later releases as "[5E-1]". */
function parseBaseScore(text: string): number {
  const value = Number(text.replace(/^\[(.*)\]$/, "$1"));
  if (!Number.isFinite(value)) {
    throw new WorklensError("INVALID_INPUT", `XGBoost JSON model: learner.learner_model_param.base_score "${text}" is not a number`, "save the model again with XGBoost");
  }
  return value;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WorklensError("INVALID_INPUT", `not an XGBoost JSON model: the text is not JSON (${error instanceof Error ? error.message : String(error)})`, "pass the JSON that XGBoost saved", { cause: error });
  }
}

/** Builds the error for the first schema issue, naming the field by its path. */
function notAModel(issue: z.core.$ZodIssue | undefined): WorklensError {
  const path = issue === undefined || issue.path.length === 0 ? "the top-level value" : issue.path.join(".");
  const missing = issue?.code === "invalid_type" && issue.input === undefined;
  const problem = missing ? `field ${path} is missing` : `${path}: ${issue?.message ?? "invalid"}`;
  return new WorklensError("INVALID_INPUT", `not an XGBoost JSON model: ${problem}`, "pass the JSON that XGBoosterSaveModel or Booster.save_model writes to a .json file");
}

function compileTree(tree: z.infer<typeof treeSchema>): Tree {
  const n = tree.left_children.length;
  const compiled: Tree = {
    left: Int32Array.from(tree.left_children),
    right: Int32Array.from(tree.right_children),
    feature: Int32Array.from(tree.split_indices),
    value: Float32Array.from(tree.split_conditions),
    defaultLeft: Uint8Array.from(tree.default_left.map((d) => (d === true || d === 1 ? 1 : 0))),
    expected: new Float64Array(n),
  };
  const hessian = new Float64Array(n);
  // Post-order over the tree, so a node's expected output is known before its parent's.
  const fill = (node: number): void => {
    const left = compiled.left[node] ?? -1;
    const right = compiled.right[node] ?? -1;
    if (left === -1) {
      hessian[node] = tree.sum_hessian[node] ?? 0;
      compiled.expected[node] = compiled.value[node] ?? 0;
      return;
    }
    fill(left);
    fill(right);
    const hl = hessian[left] ?? 0;
    const hr = hessian[right] ?? 0;
    const total = hl + hr;
    hessian[node] = total;
    const el = compiled.expected[left] ?? 0;
    const er = compiled.expected[right] ?? 0;
    compiled.expected[node] = total > 0 ? (el * hl + er * hr) / total : (el + er) / 2;
  };
  if (n > 0) fill(0);
  return compiled;
}

function childOf(tree: Tree, node: number, row: ArrayLike<number>): number {
  const x = row[tree.feature[node] ?? 0];
  if (x === undefined || Number.isNaN(x)) return (tree.defaultLeft[node] ?? 0) === 1 ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0);
  // XGBoost compares in float32: x < threshold goes left.
  return Math.fround(x) < (tree.value[node] ?? 0) ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0);
}

function leafOf(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while ((tree.left[node] ?? -1) !== -1) node = childOf(tree, node, row);
  return node;
}
