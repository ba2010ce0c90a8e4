import { resolve } from "node:path";
import type { StoreConfig } from "../store/store.js";
import { WorklensError } from "../domain/errors.js";
import { resolveTenant, tenantKeyProvider, tenantStoreConfig } from "../governance/tenant-store.js";
import { useEmbedding, type EmbeddingSetting } from "../linking/model-choice.js";
import { EnvKeyProvider, FileKeyProvider, type KeyProvider } from "../privacy/key-provider.js";
import type { TenantPlacement } from "../privacy/tenants.js";

/** Settings read once at start-up from flags and environment, then passed down frozen. */
export interface CliConfig {
  readonly store: StoreConfig;
  readonly logLevel: string;
  readonly progress: boolean;
  /** Path of XGBoost's shared library for training, from WORKLENS_XGBOOST_LIBRARY; the loader's search path when absent. */
  readonly xgboostLibrary?: string | undefined;
  /** The tenant every command acts on, from --tenant or WORKLENS_TENANT; its store replaces --store and --postgres. */
  readonly tenant?: CliTenant | undefined;
  /**
   * Master keys from WORKLENS_MASTER_KEY_FILE, or WORKLENS_MASTER_KEY with
   * WORKLENS_MASTER_KEY_PREVIOUS; undefined when neither is set, so a SQLite store uses
   * the key file beside it.
   */
  readonly keys?: KeyProvider | undefined;
  /**
   * The text embedding of the linking ranker: a sentence-embedding model in the folder
   * WORKLENS_EMBEDDING_FOLDER names, else keyed feature hashing.
   */
  readonly embedding: EmbeddingSetting;
}

/** A tenant chosen on the command line: its store location, and its own master keys in place of WORKLENS_MASTER_KEY*. */
export interface CliTenant {
  readonly id: string;
  readonly tenantsFile: string;
  readonly placement: TenantPlacement;
  readonly keys: KeyProvider;
}

export interface GlobalFlags {
  store?: string;
  postgres?: string;
  schema?: string;
  progress?: boolean;
  tenant?: string;
  tenants?: string;
}

export const DEFAULT_STORE_FILE = "worklens.sqlite";

export function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, stderrIsTty: boolean): CliConfig {
  const postgres = flags.postgres ?? env["WORKLENS_POSTGRES_URL"];
  const schema = flags.schema ?? env["WORKLENS_POSTGRES_SCHEMA"];
  const tenant = loadTenant(flags, env);
  let store: StoreConfig;
  if (tenant !== undefined) {
    store = tenantStoreConfig(tenant.placement.store);
  } else if (postgres !== undefined && postgres !== "") {
    if (!/^postgres(ql)?:\/\//.test(postgres)) {
      throw new WorklensError("USAGE", "invalid PostgreSQL URL: it must start with postgres:// or postgresql://", "pass --postgres postgres://USER@HOST:PORT/DATABASE");
    }
    store = { kind: "postgres", connectionString: postgres, schema };
  } else {
    store = { kind: "sqlite", file: resolve(flags.store ?? env["WORKLENS_STORE"] ?? DEFAULT_STORE_FILE) };
  }
  const embedding = loadEmbedding(env);
  // Linking reads the embedding from model-choice.ts, because the commands, jobs and training that link do not carry this config.
  useEmbedding(embedding);
  return Object.freeze({
    store: Object.freeze(store),
    logLevel: env["WORKLENS_LOG_LEVEL"] ?? "warn",
    progress: flags.progress !== false && stderrIsTty,
    xgboostLibrary: env["WORKLENS_XGBOOST_LIBRARY"] === "" ? undefined : env["WORKLENS_XGBOOST_LIBRARY"],
    tenant,
    keys: loadMasterKeys(env),
    embedding,
  });
}

/** Reads the embedding setting: a sentence model when WORKLENS_EMBEDDING_FOLDER is set and not empty, else hashing. */
export function loadEmbedding(env: NodeJS.ProcessEnv): EmbeddingSetting {
  const folder = env["WORKLENS_EMBEDDING_FOLDER"];
  if (folder === undefined || folder.trim() === "") return Object.freeze({ kind: "hashing" });
  return Object.freeze({ kind: "sentence", folder: resolve(folder) });
}

/** Reads the master key configuration: a key file wins over the environment variable. */
export function loadMasterKeys(env: NodeJS.ProcessEnv): KeyProvider | undefined {
  const file = env["WORKLENS_MASTER_KEY_FILE"];
  if (file !== undefined && file !== "") return new FileKeyProvider(resolve(file));
  const key = env["WORKLENS_MASTER_KEY"];
  if (key !== undefined && key !== "") return new EnvKeyProvider(env);
  return undefined;
}

/** Returns the absolute path of the tenants file named by --tenants or WORKLENS_TENANTS, or undefined when neither is set. */
export function tenantsFilePath(flags: GlobalFlags, env: NodeJS.ProcessEnv): string | undefined {
  const file = flags.tenants ?? env["WORKLENS_TENANTS"];
  return file === undefined || file === "" ? undefined : resolve(file);
}

function loadTenant(flags: GlobalFlags, env: NodeJS.ProcessEnv): CliTenant | undefined {
  const id = flags.tenant ?? env["WORKLENS_TENANT"];
  if (id === undefined || id === "") return undefined;
  if (flags.store !== undefined || flags.postgres !== undefined || flags.schema !== undefined) {
    throw new WorklensError("USAGE", "--tenant cannot be combined with --store, --postgres or --schema: the tenants file names the tenant's store", "drop --store, --postgres and --schema, or drop --tenant");
  }
  const file = tenantsFilePath(flags, env);
  if (file === undefined) {
    throw new WorklensError("USAGE", `--tenant ${id} needs a tenants file`, "pass --tenants FILE or set WORKLENS_TENANTS");
  }
  const placement = resolveTenant(file, id, env);
  return Object.freeze({ id, tenantsFile: file, placement, keys: tenantKeyProvider(placement.masterKey, env) });
}

export function describeStore(config: StoreConfig): string {
  return config.kind === "sqlite" ? `SQLite ${config.file}` : `PostgreSQL${config.schema === undefined ? "" : ` schema ${config.schema}`}`;
}
