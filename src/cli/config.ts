import { resolve } from "node:path";
import type { StoreConfig } from "../store/store.js";
import { WorklensError } from "../domain/errors.js";

/** Settings read once at start-up from flags and environment, then passed down frozen. */
export interface CliConfig {
  readonly store: StoreConfig;
  readonly logLevel: string;
  readonly progress: boolean;
  /** Path of XGBoost's shared library for training, from WORKLENS_XGBOOST_LIBRARY; the loader's search path when absent. */
  readonly xgboostLibrary?: string | undefined;
}

export interface GlobalFlags {
  store?: string;
  postgres?: string;
  schema?: string;
  progress?: boolean;
}

export const DEFAULT_STORE_FILE = "worklens.sqlite";

export function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, stderrIsTty: boolean): CliConfig {
  const postgres = flags.postgres ?? env["WORKLENS_POSTGRES_URL"];
  const schema = flags.schema ?? env["WORKLENS_POSTGRES_SCHEMA"];
  let store: StoreConfig;
  if (postgres !== undefined && postgres !== "") {
    if (!/^postgres(ql)?:\/\//.test(postgres)) {
      throw new WorklensError("USAGE", "invalid PostgreSQL URL: it must start with postgres:// or postgresql://", "pass --postgres postgres://USER@HOST:PORT/DATABASE");
    }
    store = { kind: "postgres", connectionString: postgres, schema };
  } else {
    store = { kind: "sqlite", file: resolve(flags.store ?? env["WORKLENS_STORE"] ?? DEFAULT_STORE_FILE) };
  }
  return Object.freeze({
    store: Object.freeze(store),
    logLevel: env["WORKLENS_LOG_LEVEL"] ?? "warn",
    progress: flags.progress !== false && stderrIsTty,
    xgboostLibrary: env["WORKLENS_XGBOOST_LIBRARY"] === "" ? undefined : env["WORKLENS_XGBOOST_LIBRARY"],
  });
}

export function describeStore(config: StoreConfig): string {
  return config.kind === "sqlite" ? `SQLite ${config.file}` : `PostgreSQL${config.schema === undefined ? "" : ` schema ${config.schema}`}`;
}
