import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Store } from "../store/store.js";
import { TimeModel } from "./time-model.js";

/**
 * The time model shipped with worklens, trained on corrections of a simulated team
 * (docs/evaluation.md). Only the demo uses it: hours from synthetic people are no
 * basis for a real team's worklogs, so a store keeps rule-based time until it has
 * a registered time model of its own.
 */
export const BUNDLED_TIME_MODEL = fileURLToPath(new URL("../../models/time-default.json", import.meta.url));

/**
 * Returns the live registered time model, else the bundled one when `bundled` is set.
 * Returns undefined otherwise, and allocation then keeps the rule-based seconds.
 */
export async function currentTimeModel(store: Store, bundled = false): Promise<TimeModel | undefined> {
  const live = await store.models.live("time");
  if (live !== undefined) return TimeModel.fromArtifact(live.artifact, `registered time model ${String(live.version)}`);
  if (!bundled || !existsSync(BUNDLED_TIME_MODEL)) return undefined;
  return TimeModel.fromArtifact(readFileSync(BUNDLED_TIME_MODEL, "utf8"), BUNDLED_TIME_MODEL);
}
