import { existsSync } from "node:fs";
import { Store, type StoreOpenOptions } from "../store/store.js";
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
    store = await Store.open(context.config.store, storeOpenOptions(context.config));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A key error's own hint names the fix, such as the missing key file.
    const hint = error instanceof WorklensError && error.hint !== undefined ? error.hint : "check --store or --postgres, and that the database server is running";
    throw new WorklensError("STORE", `cannot open the store (${describeStore(context.config.store)}): ${reason}`, hint, { cause: error });
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Returns the keys a command opens its store with: a tenant's own master keys, else the configured ones. */
export function storeOpenOptions(config: CliConfig): StoreOpenOptions {
  const tenant = config.tenant;
  if (tenant !== undefined) return { keys: tenant.keys, tenantId: tenant.id };
  return { keys: config.keys };
}

/** Builds the model-training job's settings, loading XGBoost from WORKLENS_XGBOOST_LIBRARY when set. */
export function trainingOptions(context: CommandContext): ModelTrainingOptions {
  const library = context.config.xgboostLibrary;
  return { loadBackend: () => loadXGBoost(library === undefined ? {} : { library }) };
}
