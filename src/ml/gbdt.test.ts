import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { GbdtModel } from "./gbdt.js";
import { syntheticDataset } from "./test-support/synthetic.js";
import { loadXGBoost } from "./xgboost.js";
import { stringifyXGBoostModel } from "./xgboost-json.js";

const backend = loadXGBoost();
const FEATURES = 6;
const data = syntheticDataset({ rows: 2_000, features: FEATURES, objective: "binary:logistic", seed: 21 });
const json = backend.train(data, { objective: "binary:logistic", rounds: 30, maxDepth: 5, eta: 0.3, seed: 3, threads: 2 });
const model = GbdtModel.fromJson(json);

function fromJsonError(input: unknown): WorklensError | undefined {
  try {
    GbdtModel.fromJson(input);
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  return undefined;
}

describe("GbdtModel.fromJson", () => {
  it("names a missing top-level field", () => {
    const error = fromJsonError({ version: [1, 7, 4] });
    expect(error?.code).toBe("INVALID_INPUT");
    expect(error?.message).toBe("not an XGBoost JSON model: field learner is missing");
  });

  it("names a missing nested field", () => {
    const broken = structuredClone(json) as { learner: Record<string, unknown> };
    delete broken.learner["gradient_booster"];
    expect(fromJsonError(broken)?.message).toBe("not an XGBoost JSON model: field learner.gradient_booster is missing");
  });

  it("rejects text that is not JSON", () => {
    expect(fromJsonError("{not json")?.message).toMatch(/^not an XGBoost JSON model: the text is not JSON/);
  });

  it("rejects an unsupported objective", () => {
    const other = structuredClone(json) as { learner: { objective: { name: string } } };
    other.learner.objective.name = "multi:softprob";
    expect(fromJsonError(other)?.message).toContain('unsupported objective "multi:softprob"');
  });

  it("reads a bracketed base_score", () => {
    const newer = structuredClone(json) as { learner: { learner_model_param: { base_score: string } } };
    newer.learner.learner_model_param.base_score = `[${newer.learner.learner_model_param.base_score}]`;
    const row = data.rows.subarray(0, FEATURES);
    expect(GbdtModel.fromJson(newer).predict(row)).toBe(model.predict(row));
  });

  it("parses JSON text like the object", () => {
    const row = data.rows.subarray(FEATURES, 2 * FEATURES);
    expect(GbdtModel.fromJson(stringifyXGBoostModel(json)).predict(row)).toBe(model.predict(row));
  });
});

/** Feature values as a caller might pass them: ordinary, extreme, non-finite and missing. */
const featureValue = fc.oneof(
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.double(),
  fc.float(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e39, -1e39, 3.4028235e38, Number.MAX_VALUE, -Number.MIN_VALUE, 0, -0),
);

describe("GbdtModel.predict on arbitrary rows", () => {
  it("never throws and matches XGBoost", () => {
    fc.assert(
      fc.property(fc.array(fc.array(featureValue, { minLength: FEATURES, maxLength: FEATURES }), { minLength: 1, maxLength: 20 }), (rows) => {
        const native = backend.predict(json, Float32Array.from(rows.flat()), FEATURES);
        for (const [index, row] of rows.entries()) {
          const predicted = model.predict(row);
          expect(Number.isFinite(predicted)).toBe(true);
          expect(Math.abs(predicted - (native[index] ?? Number.NaN))).toBeLessThan(1e-5);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("treats a short row's absent features as missing", () => {
    const short = [0.5];
    const padded = [0.5, ...Array<number>(FEATURES - 1).fill(Number.NaN)];
    expect(model.predict(short)).toBe(model.predict(padded));
  });
});

describe("GbdtModel.addTrees", () => {
  const count = 40;
  const rows = data.rows.subarray(0, count * FEATURES);
  const margins = Array.from({ length: count }, (_, i) => model.margin(rows.subarray(i * FEATURES, (i + 1) * FEATURES)));

  it("gives every row its margin, summed in stages", () => {
    const sums = new Float64Array(count).fill(model.bias);
    model.addTrees(rows, FEATURES, sums, 0, 7);
    expect(sums[0]).not.toBe(margins[0]);
    model.addTrees(rows, FEATURES, sums, 7, model.treeCount);
    expect([...sums]).toEqual(margins);
  });

  it("adds to the listed rows only", () => {
    const sums = new Float64Array(count).fill(model.bias);
    model.addTrees(rows, FEATURES, sums, 0, model.treeCount, Int32Array.from([3, 17]));
    expect(sums[3]).toBe(margins[3]);
    expect(sums[17]).toBe(margins[17]);
    expect(sums[4]).toBe(model.bias);
  });

  it("sends a missing value to each split's default side, as margin does", () => {
    const holes = Float32Array.from(rows, (v, i) => (i % 3 === 0 ? Number.NaN : v));
    const sums = new Float64Array(count).fill(model.bias);
    model.addTrees(holes, FEATURES, sums, 0, model.treeCount);
    for (let i = 0; i < count; i++) expect(sums[i]).toBe(model.margin(holes.subarray(i * FEATURES, (i + 1) * FEATURES)));
  });
});

describe("GbdtModel.fromJson on a tree that loops", () => {
  it("names the tree instead of walking it forever", () => {
    const looping = structuredClone(json) as { learner: { gradient_booster: { model: { trees: { left_children: number[]; right_children: number[] }[] } } } };
    const tree = looping.learner.gradient_booster.model.trees[2];
    if (tree === undefined) throw new Error("the test model has fewer than 3 trees");
    tree.left_children[tree.left_children.findIndex((c) => c !== -1)] = 0;
    expect(fromJsonError(looping)?.message).toMatch(/^XGBoost JSON model: tree 2 is not a tree: node 0 is out of range or reached twice$/);
  });
});
