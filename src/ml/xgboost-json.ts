/**
 * Serializes a parsed XGBoost JSON model back to text XGBoost loads. XGBoost's
 * JSON reader tells integers from floats by their text, and 1.7.4 fails with
 * "Invalid cast, from Integer to Number" when a float field contains "0", which is
 * how JSON.stringify writes the 0E0 it read. So the float arrays of each tree are
 * written with a decimal point.
 */

/** Tree fields of float values in the JSON models that XGBoost 1.7.4 saves for the gbtree booster. */
const FLOAT_ARRAYS = new Set(["split_conditions", "base_weights", "loss_changes", "sum_hessian"]);

/** Placeholder that marks a float in the first pass; "<" cannot start a value JSON.stringify writes unquoted. */
const MARK = "<xgboost-float>";

export function stringifyXGBoostModel(model: unknown): string {
  const text = JSON.stringify(model, (key, value: unknown) => {
    if (!FLOAT_ARRAYS.has(key) || !Array.isArray(value)) return value;
    return value.map((item: unknown) => (typeof item === "number" ? `${MARK}${floatText(item)}` : item));
  });
  return text.replaceAll(new RegExp(`"${MARK}([^"]*)"`, "g"), "$1");
}

function floatText(value: number): string {
  return Number.isInteger(value) ? `${String(value)}.0` : String(value);
}
