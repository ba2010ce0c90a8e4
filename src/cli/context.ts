import { existsSync } from "node:fs";
import { Store } from "../store/store.js";
import { WorklensError } from "../domain/errors.js";
import { describeStore, type CliConfig } from "./config.js";
import type { ModelTrainingOptions } from "../integrations/registry.js";
import { loadXGBoost } from "../ml/xgboost.js";
import type { Logger } from "pino";

/** Context of every command: the frozen config, a logger on standard error, and output streams. */
export interface CommandContext {
  config: CliConfig;
  logger: Logger;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Open the configured store for the length of `work`, and close it in a `finally` block even when `work` fails. */
export async function withStore<T>(context: CommandContext, work: (store: Store) => Promise<T>, options: { mustExist?: boolean } = {}): Promise<T> {
  const config = context.config.store;
  // Reading commands must not create an empty store from a mistyped path and report nothing.
  if (options.mustExist === true && config.kind === "sqlite" && !existsSync(config.file)) {
    throw new WorklensError("NOT_FOUND", `store file not found: ${config.file}`, "import data first, or pass the right --store or WORKLENS_STORE");
  }
  let store: Store;
  try {
    store = await Store.open(context.config.store);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorklensError("STORE", `cannot open the store (${describeStore(context.config.store)}): ${reason}`, "check --store or --postgres, and that the database server is running", { cause: error });
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Builds the model-training job's settings, loading XGBoost from WORKLENS_XGBOOST_LIBRARY when set. */
export function trainingOptions(context: CommandContext): ModelTrainingOptions {
  const library = context.config.xgboostLibrary;
  return { loadBackend: () => loadXGBoost(library === undefined ? {} : { library }) };
}
