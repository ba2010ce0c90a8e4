import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { addTenant, describeTenantStore, findTenant, parseTenantsFile, placeTenant } from "./tenants.js";

const FILE = "/srv/worklens/tenants.json";

function parse(content: unknown) {
  return parseTenantsFile(JSON.stringify(content), FILE);
}

function errorOf(run: () => unknown): WorklensError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

const REGIONS = {
  eu: { store: "sqlite" },
  us: { store: "postgres", url: "postgres://admin@db.internal:5432/worklens" },
  ap: { store: "postgres", url: "postgres://admin@db-ap.internal/postgres", layout: "database", folder: "/keys/ap" },
};

describe("tenants file", () => {
  it.each([
    ["tenant id with capitals", { regions: REGIONS, tenants: [{ id: "Acme", region: "eu" }] }, "tenants.0.id: must be a lower-case slug"],
    ["tenant id with trailing hyphen", { regions: REGIONS, tenants: [{ id: "acme-", region: "eu" }] }, "tenants.0.id: must be a lower-case slug"],
    ["unknown region", { regions: REGIONS, tenants: [{ id: "acme", region: "mars" }] }, 'tenants.0.region: unknown region "mars"; the file defines eu, us, ap'],
    ["duplicate id", { regions: REGIONS, tenants: [{ id: "acme", region: "eu" }, { id: "acme", region: "us" }] }, 'tenants.1.id: duplicate tenant id "acme"'],
    ["unknown field", { regions: REGIONS, tenants: [{ id: "acme", region: "eu", key: "x" }] }, "tenants.0"],
    ["bad URL", { regions: { us: { store: "postgres", url: "mysql://db" } } }, "regions.us.url: must be a postgres:// or postgresql:// URL"],
    ["bad variable name", { regions: REGIONS, tenants: [{ id: "acme", region: "eu", masterKey: { env: "A-B" } }] }, "tenants.0.masterKey"],
  ])("rejects %s", (_name, content, expected) => {
    const error = errorOf(() => parse(content));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain(`invalid tenants file ${FILE}: `);
    expect(error.message).toContain(expected);
  });

  it("rejects invalid JSON by file", () => {
    const error = errorOf(() => parseTenantsFile("{", FILE));
    expect(error.message).toBe(`tenants file ${FILE} is not valid JSON`);
  });

  it("places a SQLite tenant by default", () => {
    const config = parse({ regions: REGIONS, tenants: [{ id: "acme", region: "eu" }] });
    const placement = placeTenant(config, findTenant(config, "acme"), {});
    expect(placement).toEqual({
      tenantId: "acme",
      regionId: "eu",
      store: { kind: "sqlite", file: "/srv/worklens/eu/acme.sqlite" },
      masterKey: { kind: "file", file: "/srv/worklens/eu/keys/acme.key" },
    });
  });

  it("places a PostgreSQL schema tenant", () => {
    const config = parse({ regions: REGIONS, tenants: [{ id: "big-co", region: "us", masterKey: { env: "BIGCO_KEY" }, passwordEnv: "BIGCO_PW" }] });
    const placement = placeTenant(config, findTenant(config, "big-co"), { BIGCO_PW: "p@ss word" });
    expect(placement.masterKey).toEqual({ kind: "env", variable: "BIGCO_KEY" });
    expect(placement.store).toEqual({
      kind: "postgres",
      connectionString: "postgres://worklens_tenant_big_co:p%40ss%20word@db.internal:5432/worklens",
      schema: "tenant_big_co",
      role: "worklens_tenant_big_co",
      database: undefined,
      adminConnectionString: "postgres://admin@db.internal:5432/worklens",
      passwordEnv: "BIGCO_PW",
    });
    expect(describeTenantStore(placement.store)).toBe("PostgreSQL db.internal:5432/worklens schema tenant_big_co role worklens_tenant_big_co");
  });

  it("places a PostgreSQL database tenant", () => {
    const config = parse({ regions: REGIONS, tenants: [{ id: "acme", region: "ap" }] });
    const placement = placeTenant(config, findTenant(config, "acme"), {});
    expect(placement.masterKey).toEqual({ kind: "file", file: "/keys/ap/keys/acme.key" });
    expect(placement.store.kind === "postgres" ? [placement.store.connectionString, placement.store.database] : []).toEqual(["postgres://worklens_tenant_acme@db-ap.internal/worklens_acme", "worklens_acme"]);
  });

  it("requires a named password variable", () => {
    const config = parse({ regions: REGIONS, tenants: [{ id: "acme", region: "us", passwordEnv: "ACME_PW" }] });
    const error = errorOf(() => placeTenant(config, findTenant(config, "acme"), {}));
    expect(error.message).toBe('environment variable ACME_PW is not set: tenant "acme" reads its PostgreSQL password from it');
  });

  it("names known tenants when one is missing", () => {
    const config = parse({ regions: REGIONS, tenants: [{ id: "acme", region: "eu" }] });
    const error = errorOf(() => findTenant(config, "globex"));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.hint).toBe("known tenants: acme");
  });

  it("adds a tenant once", () => {
    const config = parse({ regions: REGIONS });
    const next = addTenant(config, { id: "acme", region: "eu" });
    expect(next.content.tenants.map((t) => t.id)).toEqual(["acme"]);
    expect(errorOf(() => addTenant(next, { id: "acme", region: "us" })).code).toBe("CONFLICT");
  });
});
