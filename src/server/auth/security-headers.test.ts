import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { openTestApp, TEST_ADMIN_TOKEN, testConfig, type TestApp } from "../test-support/app.js";

/** openssl of the machine, used only to make a self-signed pair for the TLS case. */
const OPENSSL = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].find((path) => existsSync(path));

describe("security headers", () => {
  let t: TestApp;
  let folder: string;

  beforeAll(async () => {
    t = await openTestApp("sqlite");
    folder = mkdtempSync(join(tmpdir(), "worklens-headers-"));
  });

  afterAll(async () => {
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("personal data is not cacheable", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/worklens/v1/people/me", headers: { authorization: `Bearer ${t.key}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const admin = await t.app.inject({ method: "GET", url: "/api/admin/keys", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(admin.headers["cache-control"]).toBe("no-store");
    const rejected = await t.app.inject({ method: "GET", url: "/api/worklens/v1/people/me" });
    expect(rejected.statusCode).toBe(401);
    expect(rejected.headers["cache-control"]).toBe("no-store");
  });

  it("public routes keep default caching", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBeUndefined();
  });

  it("sends no x-powered-by", async () => {
    for (const url of ["/api/health", "/api/worklens/v1/people/me", "/api/no-such-route"]) {
      const response = await t.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${t.key}` } });
      expect(response.headers["x-powered-by"], url).toBeUndefined();
    }
  });

  it("no HSTS over plain HTTP", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/health" });
    expect(response.headers["strict-transport-security"]).toBeUndefined();
  });

  it.skipIf(OPENSSL === undefined)("HSTS when serving TLS", async () => {
    const cert = join(folder, "cert.pem");
    const key = join(folder, "key.pem");
    // node:crypto makes key pairs but not X.509 certificates, so openssl signs one for 127.0.0.1.
    execFileSync(OPENSSL ?? "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const app = await buildApp({ store: t.handle.store, config: testConfig({ WORKLENS_LOG_LEVEL: "silent" }), tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    try {
      for (const url of ["/api/health", "/api/worklens/v1/people/me", "/api/no-such-route"]) {
        const response = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${t.key}` } });
        expect(response.headers["strict-transport-security"], url).toBe("max-age=31536000; includeSubDomains");
      }
    } finally {
      await app.close();
    }
  });
});
