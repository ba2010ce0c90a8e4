import pg from "pg";
import { WorklensError } from "../domain/errors.js";
import type { TenantStoreLocation } from "../privacy/tenants.js";

type PostgresLocation = Extract<TenantStoreLocation, { kind: "postgres" }>;

/** Report of the objects `tenants create` created on the PostgreSQL server. */
export interface PostgresProvisionReport {
  roleCreated: boolean;
  databaseCreated: boolean;
  schemaCreated: boolean;
}

/**
 * Create a tenant's role, its database (in the "database" layout) and its schema, owned
 * by that role, through the region's administrator connection. Safe to run again:
 * existing objects are kept. The role gets no privilege on any other tenant's schema,
 * so its connections can read and write only its own tables.
 */
export async function provisionPostgresTenant(location: PostgresLocation, env: NodeJS.ProcessEnv): Promise<PostgresProvisionReport> {
  const role = quoteName(location.role);
  const schema = quoteName(location.schema);
  const report: PostgresProvisionReport = { roleCreated: false, databaseCreated: false, schemaCreated: false };

  const admin = await connect(location.adminConnectionString);
  try {
    const password = location.passwordEnv === undefined ? undefined : env[location.passwordEnv];
    const passwordClause = password === undefined || password === "" ? "" : ` password ${admin.escapeLiteral(password)}`;
    const existing = await admin.query("select 1 from pg_roles where rolname = $1", [location.role]);
    if (existing.rowCount === 0) {
      // NOINHERIT and no other memberships: the role holds only what it owns.
      await admin.query(`create role ${role} login noinherit${passwordClause}`);
      report.roleCreated = true;
    } else if (passwordClause !== "") {
      await admin.query(`alter role ${role}${passwordClause}`);
    }

    if (location.database !== undefined) {
      const database = quoteName(location.database);
      const found = await admin.query("select 1 from pg_database where datname = $1", [location.database]);
      if (found.rowCount === 0) {
        await admin.query(`create database ${database} owner ${role}`);
        report.databaseCreated = true;
      }
      // Other roles, other tenants' roles included, may not even connect.
      await admin.query(`revoke all on database ${database} from public`);
      await admin.query(`grant connect, temporary on database ${database} to ${role}`);
    }
  } finally {
    await admin.end();
  }

  // In the "database" layout the schema goes inside the tenant's own database.
  const schemaAdmin = await connect(location.database === undefined ? location.adminConnectionString : withDatabase(location.adminConnectionString, location.database));
  try {
    const found = await schemaAdmin.query("select 1 from pg_namespace where nspname = $1", [location.schema]);
    if (found.rowCount === 0) {
      await schemaAdmin.query(`create schema ${schema} authorization ${role}`);
      report.schemaCreated = true;
    }
    await schemaAdmin.query(`revoke all on schema ${schema} from public`);
  } finally {
    await schemaAdmin.end();
  }
  return report;
}

async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
  } catch (error) {
    const url = new URL(connectionString);
    url.password = "";
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorklensError("STORE", `cannot connect to PostgreSQL at ${url.host}${url.pathname} as ${decodeURIComponent(url.username)}: ${reason}`, "check the region's url in the tenants file and that the server is running; tenants create needs a role that may create roles and schemas", { cause: error });
  }
  return client;
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Quote an identifier; names come from validated tenant ids, and this check keeps it that way. */
function quoteName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid PostgreSQL identifier "${name}"`);
  return `"${name}"`;
}
