import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { createTenant, readTenantsFile } from "../../governance/tenant-store.js";
import { renderTable } from "../../insights/format.js";
import { describeMasterKeySource, describeTenantStore, placeTenant, type TenantPlacement } from "../../privacy/tenants.js";
import { tenantsFilePath, type GlobalFlags } from "../config.js";
import type { CommandContext } from "../context.js";

/**
 * Registers `worklens tenants`. These commands read the tenants file themselves
 * rather than through the command context, which would open a tenant's store.
 */
export function registerTenants(program: Command, context: () => CommandContext, env: NodeJS.ProcessEnv): void {
  const tenants = program.command("tenants").description("create and list tenants: each has its own store, master key and models, in a region named in the tenants file (--tenants or $WORKLENS_TENANTS)");

  const fileOf = (): string => {
    const flags = program.opts<GlobalFlags>();
    if (flags.tenant !== undefined) {
      throw new WorklensError("USAGE", "--tenant does not apply to the tenants commands", "drop --tenant; name the tenant as the argument of tenants create");
    }
    const file = tenantsFilePath(flags, env);
    if (file === undefined) throw new WorklensError("USAGE", "no tenants file given", "pass --tenants FILE or set WORKLENS_TENANTS; docs/server.md shows the file's format");
    return file;
  };

  tenants
    .command("create")
    .description("create a tenant: its master key file (mode 0600) unless --key-env is given, its store and, on PostgreSQL, its own role and schema; then add it to the tenants file")
    .argument("<id>", "tenant id: a lower-case slug such as acme or acme-eu")
    .requiredOption("--region <id>", "region of the tenants file that holds the tenant's store")
    .option("--key-env <name>", "read the tenant's base64 master key from this environment variable instead of a key file")
    .option("--password-env <name>", "PostgreSQL only: environment variable with the password of the tenant's database role")
    .action(async (id: string, options: { region: string; keyEnv?: string; passwordEnv?: string }) => {
      const file = fileOf();
      const ctx = context();
      const report = await createTenant(file, { id, region: options.region, masterKeyEnv: options.keyEnv, passwordEnv: options.passwordEnv }, env);
      ctx.out(`created tenant ${id} in region ${options.region}\n`);
      ctx.out(`store: ${describeTenantStore(report.placement.store)}\n`);
      ctx.out(`master key: ${describeMasterKeySource(report.placement.masterKey)}${report.keyFileCreated ? " (new; back it up: without it the tenant's data cannot be read)" : ""}\n`);
      if (report.postgres !== undefined) {
        const created = [report.postgres.roleCreated ? "role" : "", report.postgres.databaseCreated ? "database" : "", report.postgres.schemaCreated ? "schema" : ""].filter((part) => part !== "");
        ctx.out(`PostgreSQL: ${created.length === 0 ? "role and schema already existed" : `created ${created.join(", ")}`}\n`);
      }
    });

  tenants
    .command("list")
    .description("list tenants: id, region, store location and master key source (never key material or passwords)")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => {
      const file = fileOf();
      const ctx = context();
      const config = readTenantsFile(file);
      // Listing must work without the tenants' passwords in the environment, so none is read here.
      const rows = config.content.tenants.map((tenant) => placeTenant(config, { ...tenant, passwordEnv: undefined }, {}));
      if (options.json === true) {
        ctx.out(`${JSON.stringify(rows.map(listEntry), null, 2)}\n`);
        return;
      }
      ctx.out(renderTable(["tenant", "region", "store", "master key"], rows.map((row) => {
        const entry = listEntry(row);
        return [entry.id, entry.region, entry.store, entry.masterKey];
      })));
    });
}

function listEntry(placement: TenantPlacement): { id: string; region: string; store: string; masterKey: string } {
  return { id: placement.tenantId, region: placement.regionId, store: describeTenantStore(placement.store), masterKey: describeMasterKeySource(placement.masterKey) };
}
