import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { WorklensError } from "../domain/errors.js";
import { EnvKeyProvider, FileKeyProvider, type KeyProvider } from "../privacy/key-provider.js";
import {
  addTenant,
  findTenant,
  parseTenantsFile,
  placeTenant,
  TENANT_ID_MAX_LENGTH,
  TENANT_ID_PATTERN,
  type MasterKeySource,
  type TenantConfig,
  type TenantPlacement,
  type TenantsConfig,
  type TenantStoreLocation,
} from "../privacy/tenants.js";
import { Store, type StoreConfig } from "../store/store.js";
import { provisionPostgresTenant, type PostgresProvisionReport } from "./tenant-postgres.js";

/** Read and validate a tenants file; errors name the file. */
export function readTenantsFile(file: string): TenantsConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new WorklensError("NOT_FOUND", `tenants file ${file} cannot be read`, "pass the tenants file with --tenants or WORKLENS_TENANTS; docs/server.md shows its format", { cause: error });
  }
  return parseTenantsFile(text, file);
}

/** Converts a tenant's store location to the config Store.open takes. */
export function tenantStoreConfig(location: TenantStoreLocation): StoreConfig {
  return location.kind === "sqlite" ? { kind: "sqlite", file: location.file } : { kind: "postgres", connectionString: location.connectionString, schema: location.schema };
}

/**
 * Builds the key provider of a tenant. A variable named in the tenants file is read like
 * WORKLENS_MASTER_KEY, with `<NAME>_PREVIOUS` holding earlier keys during a rotation.
 */
export function tenantKeyProvider(source: MasterKeySource, env: NodeJS.ProcessEnv): KeyProvider {
  if (source.kind === "file") {
    if (!existsSync(source.file)) {
      throw new WorklensError("NOT_FOUND", `master key file ${source.file} of this tenant does not exist`, "restore the key file from the tenant's key backup; without it the tenant's data cannot be read");
    }
    return new FileKeyProvider(source.file);
  }
  const current = env[source.variable];
  if (current === undefined || current.trim() === "") {
    throw new WorklensError("USAGE", `environment variable ${source.variable} is not set: the tenant's master key comes from it`, 'set it to the tenant\'s base64 master key (generate a new one with "openssl rand -base64 32")');
  }
  return new EnvKeyProvider({ WORKLENS_MASTER_KEY: current, WORKLENS_MASTER_KEY_PREVIOUS: env[`${source.variable}_PREVIOUS`] });
}

/** Open a tenant's store with its own key provider, its associated data bound to the tenant id. */
export async function openTenantStore(placement: TenantPlacement, env: NodeJS.ProcessEnv): Promise<Store> {
  const keys = tenantKeyProvider(placement.masterKey, env);
  return Store.open(tenantStoreConfig(placement.store), { keys, tenantId: placement.tenantId });
}

/** Resolve a tenant id of a tenants file to its store and key source. */
export function resolveTenant(file: string, tenantId: string, env: NodeJS.ProcessEnv): TenantPlacement {
  const config = readTenantsFile(file);
  return placeTenant(config, findTenant(config, tenantId), env);
}

export interface CreateTenantRequest {
  id: string;
  region: string;
  /** Name of an environment variable holding the master key, in place of the default key file. */
  masterKeyEnv?: string | undefined;
  /** Name of an environment variable holding the PostgreSQL role's password. */
  passwordEnv?: string | undefined;
}

export interface CreateTenantReport {
  placement: TenantPlacement;
  /** True when a new key file was written; false when the key comes from a variable or an existing file. */
  keyFileCreated: boolean;
  postgres: PostgresProvisionReport | undefined;
}

/**
 * Create a tenant: its master key file (0600), on PostgreSQL its role, schema and
 * grants, then its store with its first data key. Its entry goes into the tenants file
 * last, so a failure part way leaves the file unchanged and the command can run again.
 */
export async function createTenant(file: string, request: CreateTenantRequest, env: NodeJS.ProcessEnv): Promise<CreateTenantReport> {
  const config = readTenantsFile(file);
  checkNewTenant(config, request);
  const tenant: TenantConfig = {
    id: request.id,
    region: request.region,
    ...(request.masterKeyEnv === undefined ? {} : { masterKey: { env: request.masterKeyEnv } }),
    ...(request.passwordEnv === undefined ? {} : { passwordEnv: request.passwordEnv }),
  };
  const next = addTenant(config, tenant);
  const placement = placeTenant(next, findTenant(next, tenant.id), env);

  let keyFileCreated = false;
  if (placement.masterKey.kind === "file" && !existsSync(placement.masterKey.file)) {
    mkdirSync(dirname(placement.masterKey.file), { recursive: true, mode: 0o700 });
    FileKeyProvider.create(placement.masterKey.file);
    keyFileCreated = true;
  }
  const keys = tenantKeyProvider(placement.masterKey, env);

  let postgres: PostgresProvisionReport | undefined;
  if (placement.store.kind === "postgres") {
    postgres = await provisionPostgresTenant(placement.store, env);
  } else {
    mkdirSync(dirname(placement.store.file), { recursive: true, mode: 0o700 });
  }

  const store = await Store.open(tenantStoreConfig(placement.store), { keys, tenantId: placement.tenantId });
  await store.close();

  writeTenantsFile(next);
  return { placement, keyFileCreated, postgres };
}

/** Reject a bad id or region as a command-line error, before it could read as a fault of the file. */
function checkNewTenant(config: TenantsConfig, request: CreateTenantRequest): void {
  if (request.id.length > TENANT_ID_MAX_LENGTH || !TENANT_ID_PATTERN.test(request.id)) {
    throw new WorklensError("USAGE", `invalid tenant id "${request.id}": it must be a lower-case slug of at most ${String(TENANT_ID_MAX_LENGTH)} characters`, "use letters, digits and single hyphens, starting with a letter, such as acme or acme-eu");
  }
  if (!Object.hasOwn(config.content.regions, request.region)) {
    const known = Object.keys(config.content.regions).join(", ");
    throw new WorklensError("USAGE", `region "${request.region}" not found in ${config.file}`, known === "" ? "add a region to the file's \"regions\" first" : `known regions: ${known}`);
  }
}

/** Write the tenants file through a temporary file and a rename, so a crash never leaves half a file; the file keeps its mode. */
function writeTenantsFile(config: TenantsConfig): void {
  const temporary = `${config.file}.${String(process.pid)}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config.content, null, 2)}\n`, { mode: statSync(config.file).mode & 0o777 });
  renameSync(temporary, config.file);
}
