import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { WorklensError } from "../../src/domain/errors.js";
import { createTenant, openTenantStore, readTenantsFile, tenantKeyProvider, tenantStoreConfig } from "../../src/governance/tenant-store.js";
import { importJira } from "../../src/ingest/jira/import.js";
import { findTenant, placeTenant, type TenantPlacement } from "../../src/privacy/tenants.js";
import { buildApp } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/api-keys.js";
import { testConfig, testIdentity } from "../../src/server/test-support/app.js";
import { Store } from "../../src/store/store.js";
import { BACKENDS, TEST_POSTGRES_URL, type Backend } from "../../src/store/test-support/backends.js";

/** Words that appear only in one tenant's data, so any leak shows up as a plain string match. */
const MARKERS = { a: "ALPHAMARKER", b: "BRAVOMARKER" } as const;

interface Tenant {
  placement: TenantPlacement;
  store: Store;
  apiKey: string;
}

function jiraPage(marker: string, email: string): string {
  return JSON.stringify({
    issues: [
      {
        id: "10001",
        key: "ISO-1",
        fields: {
          summary: `${marker} summary`,
          description: `${marker} description`,
          created: "2025-03-03T09:00:00.000+0000",
          updated: "2025-03-03T10:00:00.000+0000",
          status: { name: "Open" },
          reporter: { accountId: `acc-${marker}`, displayName: `${marker} Person`, emailAddress: email, timeZone: "UTC" },
        },
      },
    ],
  });
}

function tenantsFileContent(backend: Backend): object {
  const region = (name: string) => (backend === "sqlite" ? { store: "sqlite", folder: name } : { store: "postgres", url: TEST_POSTGRES_URL, layout: "schema", folder: name });
  return { regions: { eu: region("eu"), us: region("us") }, tenants: [] };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe.each(BACKENDS)("tenants on %s", (backend) => {
  const suffix = randomBytes(3).toString("hex");
  const ids = { a: `alpha-${suffix}`, b: `bravo-${suffix}` };
  const folder = mkdtempSync(join(tmpdir(), "worklens-tenants-"));
  const tenantsFile = join(folder, "tenants.json");
  const tenants: Partial<Record<"a" | "b", Tenant>> = {};
  const get = (name: "a" | "b"): Tenant => {
    const tenant = tenants[name];
    if (tenant === undefined) throw new Error(`tenant ${name} was not set up`);
    return tenant;
  };

  beforeAll(async () => {
    writeFileSync(tenantsFile, JSON.stringify(tenantsFileContent(backend)));
    await createTenant(tenantsFile, { id: ids.a, region: "eu" }, process.env);
    await createTenant(tenantsFile, { id: ids.b, region: "us" }, process.env);
    const config = readTenantsFile(tenantsFile);
    for (const name of ["a", "b"] as const) {
      const placement = placeTenant(config, findTenant(config, ids[name]), process.env);
      const store = await openTenantStore(placement, process.env);
      const jiraFile = join(folder, `jira-${name}.json`);
      writeFileSync(jiraFile, jiraPage(MARKERS[name], `${MARKERS[name].toLowerCase()}@example.com`));
      await importJira(store, jiraFile);
      const key = await store.transaction((tx) => createApiKey(tx, testIdentity(`dev@${name}.example.com`), Date.now()));
      tenants[name] = { placement, store, apiKey: key.secret };
    }
  }, 60_000);

  afterAll(async () => {
    for (const tenant of Object.values(tenants)) await tenant.store.close();
    if (backend === "postgres") {
      await withAdmin(async (admin) => {
        for (const tenant of Object.values(tenants)) {
          if (tenant.placement.store.kind !== "postgres") continue;
          // DROP OWNED drops the tenant's schema with its tables and revokes its grants, so the role can go.
          await admin.query(`drop owned by "${tenant.placement.store.role}"`);
          await admin.query(`drop role "${tenant.placement.store.role}"`);
        }
      });
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("places each tenant in its own region", () => {
    const a = get("a").placement;
    const b = get("b").placement;
    expect(a.regionId).toBe("eu");
    expect(b.regionId).toBe("us");
    expect(a.masterKey).toEqual({ kind: "file", file: join(folder, "eu", "keys", `${ids.a}.key`) });
    expect(b.masterKey).toEqual({ kind: "file", file: join(folder, "us", "keys", `${ids.b}.key`) });
    expect(statSync(join(folder, "eu", "keys", `${ids.a}.key`)).mode & 0o777).toBe(0o600);
    if (backend === "sqlite") {
      expect(a.store).toEqual({ kind: "sqlite", file: join(folder, "eu", `${ids.a}.sqlite`) });
      expect(b.store).toEqual({ kind: "sqlite", file: join(folder, "us", `${ids.b}.sqlite`) });
    } else {
      expect(a.store.kind === "postgres" ? [a.store.schema, a.store.role] : []).toEqual([`tenant_alpha_${suffix}`, `worklens_tenant_alpha_${suffix}`]);
    }
  });

  it("reads each tenant's own data", async () => {
    for (const name of ["a", "b"] as const) {
      const texts = [...(await get(name).store.issues.texts()).values()];
      expect(texts.map((t) => t.summary)).toEqual([`${MARKERS[name]} summary`]);
    }
  });

  it("rejects A's API key on B's server", async () => {
    const app = await buildApp({ store: get("b").store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }) });
    try {
      const url = "/api/worklens/v1/suggestions?from=2025-03-03&to=2025-03-03";
      const foreign = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${get("a").apiKey}` } });
      expect(foreign.statusCode).toBe(401);
      expect(foreign.body).not.toContain(MARKERS.b);
      // Control: B's own key is accepted on the same route.
      const own = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${get("b").apiKey}` } });
      expect(own.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("refuses B's store under A's master key", async () => {
    const b = get("b").placement;
    const wrongKeys = tenantKeyProvider(get("a").placement.masterKey, process.env);
    const opening = Store.open(tenantStoreConfig(b.store), { keys: wrongKeys, tenantId: b.tenantId });
    const error = await opening.then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("STORE");
    expect((error as WorklensError).message).not.toContain(MARKERS.b);
    // Control: B's own key opens the same store.
    const own = await Store.open(tenantStoreConfig(b.store), { keys: tenantKeyProvider(b.masterKey, process.env), tenantId: b.tenantId });
    await own.close();
  });

  it("fails to decrypt a row copied from B into A", async () => {
    const a = get("a").store;
    const b = get("b").store;
    const stolen = await b.db.selectFrom("issue_texts").selectAll().executeTakeFirstOrThrow();
    const original = await a.db.selectFrom("issue_texts").selectAll().where("issue_id", "=", stolen.issue_id).executeTakeFirstOrThrow();
    expect(stolen.summary).not.toContain(MARKERS.b);

    await a.db.updateTable("issue_texts").set({ summary: stolen.summary, description: stolen.description, comments: stolen.comments }).where("issue_id", "=", stolen.issue_id).execute();
    try {
      const reading = a.issues.texts().then(
        (texts) => [...texts.values()],
        (reason: unknown) => reason,
      );
      const result = await reading;
      expect(result).toBeInstanceOf(WorklensError);
      expect((result as WorklensError).code).toBe("STORE");
      expect((result as WorklensError).message).not.toContain(MARKERS.b);
    } finally {
      await a.db.updateTable("issue_texts").set({ summary: original.summary, description: original.description, comments: original.comments }).where("issue_id", "=", original.issue_id).execute();
    }
    // Control: with its own row back, A reads its text again.
    expect([...(await a.issues.texts()).values()].map((t) => t.summary)).toEqual([`${MARKERS.a} summary`]);
  });

  it("keeps models apart", async () => {
    const a = get("a").store;
    const b = get("b").store;
    const added = await a.models.add({
      artifact: { kind: "time", version: 0, featureNames: ["suggested_seconds"], model: { multiplier: 0.7 }, trainedAt: "2025-03-01T00:00:00.000Z", window: { from: "2025-01-01", to: "2025-02-28" }, metrics: {} },
    });
    expect((await a.models.list()).map((m) => m.version)).toEqual([added.version]);
    expect(await b.models.list()).toEqual([]);
    const rows = await b.db.selectFrom("models").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
    expect(rows.count).toBe(0);
  });

  it.runIf(backend === "postgres")("denies A's role B's schema", async () => {
    const a = get("a").placement.store;
    const b = get("b").placement.store;
    if (a.kind !== "postgres" || b.kind !== "postgres") throw new Error("expected PostgreSQL tenants");
    const client = new pg.Client({ connectionString: a.connectionString });
    await client.connect();
    try {
      const user = await client.query<{ current_user: string }>("select current_user");
      expect(user.rows[0]?.current_user).toBe(a.role);
      const own = await client.query<{ count: string }>(`select count(*) as count from "${a.schema}".issue_texts`);
      expect(own.rows[0]?.count).toBe("1");

      const tables = await withAdmin(async (admin) => (await admin.query<{ tablename: string }>("select tablename from pg_tables where schemaname = $1 order by tablename", [b.schema])).rows.map((r) => r.tablename));
      expect(tables).toContain("issue_texts");
      expect(tables).toContain("data_keys");
      for (const table of tables) {
        const denied = await client.query(`select * from "${b.schema}"."${table}"`).then(
          () => undefined,
          (error: unknown) => error as { code?: string },
        );
        expect(denied?.code, `select from ${b.schema}.${table}`).toBe("42501");
      }
      // The role cannot create schemas in the shared database either.
      const created = await client.query(`create schema "${a.schema}_extra"`).then(
        () => undefined,
        (error: unknown) => error as { code?: string },
      );
      expect(created?.code).toBe("42501");
    } finally {
      await client.end();
    }
    // Control: the administrator, who has every privilege, reads B's table, so the denial above is the role's, not a missing table.
    const count = await withAdmin(async (admin) => (await admin.query<{ count: string }>(`select count(*) as count from "${b.schema}".issue_texts`)).rows[0]?.count);
    expect(count).toBe("1");
  });
});

describe("tenants in the PostgreSQL database layout", () => {
  const suffix = randomBytes(3).toString("hex");
  const ids = { a: `alpha-${suffix}`, b: `bravo-${suffix}` };
  const folder = mkdtempSync(join(tmpdir(), "worklens-tenant-databases-"));
  const tenantsFile = join(folder, "tenants.json");
  const placements: TenantPlacement[] = [];

  beforeAll(async () => {
    // The "test_" prefix keeps the databases inside what the test guard calls test databases.
    const region = { store: "postgres", url: TEST_POSTGRES_URL, layout: "database", databasePrefix: "test_h7_" };
    writeFileSync(tenantsFile, JSON.stringify({ regions: { eu: region }, tenants: [] }));
    for (const id of [ids.a, ids.b]) placements.push((await createTenant(tenantsFile, { id, region: "eu" }, process.env)).placement);
  }, 60_000);

  afterAll(async () => {
    await withAdmin(async (admin) => {
      for (const placement of placements) {
        if (placement.store.kind !== "postgres" || placement.store.database === undefined) continue;
        await admin.query(`drop database if exists "${placement.store.database}" with (force)`);
        await admin.query(`drop owned by "${placement.store.role}"`);
        await admin.query(`drop role "${placement.store.role}"`);
      }
    });
    rmSync(folder, { recursive: true, force: true });
    // DROP DATABASE waits for a checkpoint, which takes a minute or more while other tests load the server.
  }, 300_000);

  it("gives each tenant its own database", async () => {
    const [a, b] = placements.map((p) => p.store);
    if (a?.kind !== "postgres" || b?.kind !== "postgres") throw new Error("expected PostgreSQL tenants");
    expect([a.database, b.database]).toEqual([`test_h7_alpha_${suffix}`, `test_h7_bravo_${suffix}`]);

    const own = new pg.Client({ connectionString: a.connectionString });
    await own.connect();
    try {
      const tables = await own.query<{ count: string }>("select count(*) as count from pg_tables where schemaname = $1", [a.schema]);
      expect(Number(tables.rows[0]?.count)).toBeGreaterThan(10);
    } finally {
      await own.end();
    }

    // A's role pointed at B's database: CONNECT was revoked from everyone but B's role.
    const foreignUrl = new URL(a.connectionString);
    foreignUrl.pathname = `/${b.database ?? ""}`;
    const foreign = new pg.Client({ connectionString: foreignUrl.toString() });
    const refused = await foreign.connect().then(
      async () => {
        await foreign.end();
        return undefined;
      },
      (error: unknown) => error as { code?: string },
    );
    expect(refused?.code).toBe("42501");
  });
});

describe("worklens tenants commands", () => {
  const folder = mkdtempSync(join(tmpdir(), "worklens-tenant-cli-"));
  const tenantsFile = join(folder, "tenants.json");

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runCli({ argv: ["--tenants", tenantsFile, ...args], env: { ...process.env, WORKLENS_STORE: "", WORKLENS_TENANT: "", WORKLENS_MASTER_KEY: "", WORKLENS_MASTER_KEY_FILE: "" }, out: (text) => { out += text; }, err: (text) => { err += text; }, stderrIsTty: false });
    return { code, out, err };
  }

  it("creates, lists and selects tenants", async () => {
    writeFileSync(tenantsFile, JSON.stringify({ regions: { eu: { store: "sqlite" }, us: { store: "sqlite" } } }));
    expect((await cli(["tenants", "create", "acme", "--region", "eu"])).code).toBe(0);
    expect((await cli(["tenants", "create", "globex", "--region", "us"])).code).toBe(0);

    const list = await cli(["tenants", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([
      { id: "acme", region: "eu", store: `SQLite ${join(folder, "eu", "acme.sqlite")}`, masterKey: `key file ${join(folder, "eu", "keys", "acme.key")}` },
      { id: "globex", region: "us", store: `SQLite ${join(folder, "us", "globex.sqlite")}`, masterKey: `key file ${join(folder, "us", "keys", "globex.key")}` },
    ]);
    const acmeKey = readFileSync(join(folder, "eu", "keys", "acme.key"), "utf8").trim();
    expect(acmeKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(list.out).not.toContain(acmeKey);

    const jiraFile = join(folder, "jira.json");
    writeFileSync(jiraFile, jiraPage(MARKERS.a, "dev@acme.example.com"));
    expect((await cli(["--tenant", "acme", "import", "jira", jiraFile])).code).toBe(0);
    const acme = await cli(["--tenant", "acme", "people", "list", "--json"]);
    const globex = await cli(["--tenant", "globex", "people", "list", "--json"]);
    expect(acme.out).toContain("dev@acme.example.com");
    expect(globex.out).not.toContain("dev@acme.example.com");

    const duplicate = await cli(["tenants", "create", "acme", "--region", "us"]);
    expect(duplicate.code).toBe(7);
    expect(duplicate.err).toContain(`tenant "acme" already exists in ${tenantsFile}`);
  });
});
