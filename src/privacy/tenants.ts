import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { WorklensError } from "../domain/errors.js";

/**
 * The tenants file: regions name where stores live, and tenants name their region
 * and the source of their master key. Each tenant gets its own store (so its
 * own data keys and its own model registry) and, on PostgreSQL, its own database role.
 * This module only parses and resolves; creating stores and roles is in governance/.
 */

/** Lower-case slug: a letter first, then letters, digits and single hyphens. Also safe inside PostgreSQL identifiers. */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Maximum tenant id length, so `worklens_tenant_<id>` stays under PostgreSQL's 63-byte identifier limit. */
export const TENANT_ID_MAX_LENGTH = 40;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const slug = z
  .string()
  .max(TENANT_ID_MAX_LENGTH, `must be at most ${TENANT_ID_MAX_LENGTH} characters`)
  .regex(TENANT_ID_PATTERN, "must be a lower-case slug such as acme or acme-eu (letters, digits, single hyphens, starting with a letter)");

const envName = z.string().regex(ENV_NAME, "must be an environment variable name (letters, digits, underscores)");

const sqliteRegionSchema = z.strictObject({
  store: z.literal("sqlite"),
  /** Folder of the region's stores and default key files; relative to the tenants file. Default: `<tenants file folder>/<region id>`. */
  folder: z.string().min(1).optional(),
});

const postgresRegionSchema = z.strictObject({
  store: z.literal("postgres"),
  /** An administrator connection, used by `tenants create` only; tenants connect as their own role. */
  url: z.string().regex(/^postgres(ql)?:\/\/[^/]/, "must be a postgres:// or postgresql:// URL with a host"),
  /** "schema": one schema per tenant in the URL's database; "database": one database per tenant on the URL's server. */
  layout: z.enum(["schema", "database"]).default("schema"),
  /** Prefix of per-tenant database names in the "database" layout. */
  databasePrefix: z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be lower-case letters, digits and underscores").max(20).default("worklens_"),
  /** Folder of the region's default key files, as for SQLite regions. */
  folder: z.string().min(1).optional(),
});

const regionSchema = z.discriminatedUnion("store", [sqliteRegionSchema, postgresRegionSchema]);

const masterKeySchema = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ env: envName }),
]);

const tenantSchema = z.strictObject({
  id: slug,
  region: z.string().min(1),
  /** Default: a key file at `<region folder>/keys/<id>.key`. */
  masterKey: masterKeySchema.optional(),
  /** Environment variable with the password of the tenant's PostgreSQL role; none with trust or peer authentication. */
  passwordEnv: envName.optional(),
});

export const tenantsFileSchema = z
  .strictObject({
    regions: z.record(slug, regionSchema),
    tenants: z.array(tenantSchema).default([]),
  })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    file.tenants.forEach((tenant, index) => {
      if (seen.has(tenant.id)) context.addIssue({ code: "custom", path: ["tenants", index, "id"], message: `duplicate tenant id "${tenant.id}"` });
      seen.add(tenant.id);
      if (!Object.hasOwn(file.regions, tenant.region)) {
        context.addIssue({ code: "custom", path: ["tenants", index, "region"], message: `unknown region "${tenant.region}"; the file defines ${Object.keys(file.regions).join(", ") || "no regions"}` });
      }
    });
  });

export type TenantsFile = z.infer<typeof tenantsFileSchema>;
export type RegionConfig = z.infer<typeof regionSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;

/** A parsed tenants file together with the folder its relative paths are resolved against. */
export interface TenantsConfig {
  readonly file: string;
  readonly content: TenantsFile;
}

/** Source of a tenant's master key: a file or an environment variable, never the key itself. */
export type MasterKeySource = { kind: "file"; file: string } | { kind: "env"; variable: string };

/** Location of a tenant's store, in the shape of the store's own config plus the names provisioning needs. */
export type TenantStoreLocation =
  | { kind: "sqlite"; file: string }
  | {
      kind: "postgres";
      /** The tenant's own connection: its role, and its database in the "database" layout. */
      connectionString: string;
      schema: string;
      role: string;
      /** Set in the "database" layout only. */
      database: string | undefined;
      /** The region's administrator connection, for `tenants create`. */
      adminConnectionString: string;
      /** Environment variable holding the role's password, when the server requires one. */
      passwordEnv: string | undefined;
    };

export interface TenantPlacement {
  readonly tenantId: string;
  readonly regionId: string;
  readonly store: TenantStoreLocation;
  readonly masterKey: MasterKeySource;
}

/** Parse a tenants file's text; errors name the file and the field path. */
export function parseTenantsFile(text: string, file: string): TenantsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorklensError("USAGE", `tenants file ${file} is not valid JSON`, "write the tenants file as one JSON object with \"regions\" and \"tenants\" (docs/server.md shows one)", { cause: error });
  }
  const parsed = tenantsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new WorklensError("USAGE", `invalid tenants file ${file}: ${formatIssues(parsed.error.issues)}`, "fix the field named above; docs/server.md lists every field of the tenants file");
  }
  return { file: resolve(file), content: parsed.data };
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${issue.message}`).join("; ");
}

/** Find a tenant by id, or fail with the ids the file does define. */
export function findTenant(config: TenantsConfig, tenantId: string): TenantConfig {
  const tenant = config.content.tenants.find((t) => t.id === tenantId);
  if (tenant === undefined) {
    const known = config.content.tenants.map((t) => t.id).join(", ");
    throw new WorklensError("NOT_FOUND", `tenant "${tenantId}" not found in ${config.file}`, known === "" ? "create it with: worklens tenants create ID --region REGION" : `known tenants: ${known}`);
  }
  return tenant;
}

/** The folder of a region's SQLite stores and default key files. */
export function regionFolder(config: TenantsConfig, regionId: string): string {
  const region = config.content.regions[regionId];
  const base = dirname(config.file);
  if (region?.folder === undefined) return join(base, regionId);
  return isAbsolute(region.folder) ? region.folder : resolve(base, region.folder);
}

/** PostgreSQL names of a tenant: hyphens become underscores, so the names need no quoting rules beyond the usual. */
export function postgresNames(tenantId: string, databasePrefix: string): { schema: string; role: string; database: string } {
  const name = tenantId.replaceAll("-", "_");
  return { schema: `tenant_${name}`, role: `worklens_tenant_${name}`, database: `${databasePrefix}${name}` };
}

/**
 * Resolve where a tenant's store and master key are. `env` supplies the role's
 * password when the tenant names a `passwordEnv`; a missing variable is an error here
 * rather than an authentication failure later.
 */
export function placeTenant(config: TenantsConfig, tenant: TenantConfig, env: NodeJS.ProcessEnv): TenantPlacement {
  const region = config.content.regions[tenant.region];
  if (region === undefined) {
    throw new WorklensError("USAGE", `tenant "${tenant.id}" names unknown region "${tenant.region}" in ${config.file}`, "add the region to \"regions\" or fix the tenant's region");
  }
  const folder = regionFolder(config, tenant.region);
  const masterKey: MasterKeySource =
    tenant.masterKey === undefined
      ? { kind: "file", file: join(folder, "keys", `${tenant.id}.key`) }
      : "env" in tenant.masterKey
        ? { kind: "env", variable: tenant.masterKey.env }
        : { kind: "file", file: isAbsolute(tenant.masterKey.file) ? tenant.masterKey.file : resolve(dirname(config.file), tenant.masterKey.file) };

  if (region.store === "sqlite") {
    return { tenantId: tenant.id, regionId: tenant.region, masterKey, store: { kind: "sqlite", file: join(folder, `${tenant.id}.sqlite`) } };
  }

  const names = postgresNames(tenant.id, region.databasePrefix);
  const url = new URL(region.url);
  url.username = names.role;
  url.password = "";
  if (tenant.passwordEnv !== undefined) {
    const password = env[tenant.passwordEnv];
    if (password === undefined || password === "") {
      throw new WorklensError("USAGE", `environment variable ${tenant.passwordEnv} is not set: tenant "${tenant.id}" reads its PostgreSQL password from it`, `set ${tenant.passwordEnv}, or remove "passwordEnv" from the tenant when the server needs no password`);
    }
    url.password = encodeURIComponent(password);
  }
  const database = region.layout === "database" ? names.database : undefined;
  if (database !== undefined) url.pathname = `/${database}`;
  return {
    tenantId: tenant.id,
    regionId: tenant.region,
    masterKey,
    store: {
      kind: "postgres",
      connectionString: url.toString(),
      schema: names.schema,
      role: names.role,
      database,
      adminConnectionString: region.url,
      passwordEnv: tenant.passwordEnv,
    },
  };
}

/** A one-line description of a store location without passwords, for listings and messages. */
export function describeTenantStore(location: TenantStoreLocation): string {
  if (location.kind === "sqlite") return `SQLite ${location.file}`;
  const url = new URL(location.connectionString);
  url.password = "";
  return `PostgreSQL ${url.host}${url.pathname} schema ${location.schema} role ${location.role}`;
}

/** A one-line description of a master key source, naming the file or variable and never the key. */
export function describeMasterKeySource(source: MasterKeySource): string {
  return source.kind === "file" ? `key file ${source.file}` : `environment variable ${source.variable}`;
}

/** The tenants file with one more tenant, validated again so a bad addition never reaches the disk. */
export function addTenant(config: TenantsConfig, tenant: TenantConfig): TenantsConfig {
  if (config.content.tenants.some((t) => t.id === tenant.id)) {
    throw new WorklensError("CONFLICT", `tenant "${tenant.id}" already exists in ${config.file}`, "choose another id, or use the existing tenant with --tenant");
  }
  const next = { ...config.content, tenants: [...config.content.tenants, tenant] };
  return parseTenantsFile(JSON.stringify(next), config.file);
}
