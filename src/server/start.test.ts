import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "../store/store.js";
import { buildApp } from "./app.js";
import { listen, startServer } from "./start.js";
import { testConfig } from "./test-support/app.js";

/** openssl of the machine, used only to make a self-signed pair for the HTTPS test. */
const OPENSSL = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].find((path) => existsSync(path));

describe("server on a socket", () => {
  let folder: string;
  let store: Store;
  let storeClosed: boolean;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-serve-"));
    store = await Store.open({ kind: "sqlite", file: join(folder, "store.sqlite") });
    storeClosed = false;
    const closeStore = store.close.bind(store);
    store.close = async () => {
      storeClosed = true;
      await closeStore();
    };
  });
  afterEach(async () => {
    if (!storeClosed) await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves on 127.0.0.1 port 0", async () => {
    const server = await startServer({ store, config: testConfig({ WORKLENS_PORT: "0", WORKLENS_LOG_LEVEL: "silent" }) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });

      const unauthorized = await fetch(`${server.url}/api/v1/users/current/statusbar/today`);
      expect(unauthorized.status).toBe(401);
    } finally {
      await server.shutdown("test");
    }
    expect(storeClosed).toBe(true);
  });

  it("finishes in-flight requests on shutdown", async () => {
    const config = testConfig({ WORKLENS_PORT: "0", WORKLENS_LOG_LEVEL: "silent" });
    const app = await buildApp({ store, config });
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    app.get("/test/slow", { config: { access: "public" } }, async () => {
      arrived();
      await new Promise<void>((resolve) => (release = resolve));
      return { finished: true };
    });
    const server = await listen(app, store, config);

    const inFlight = fetch(`${server.url}/test/slow`);
    await requestArrived;
    const stopping = server.shutdown("test");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(storeClosed).toBe(false);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await stopping;
    expect(storeClosed).toBe(true);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it.skipIf(OPENSSL === undefined)("serves HTTPS with a certificate", async () => {
    const cert = join(folder, "cert.pem");
    const key = join(folder, "key.pem");
    // node:crypto makes key pairs but not X.509 certificates, so openssl signs one for 127.0.0.1.
    execFileSync(OPENSSL ?? "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });

    const server = await startServer({ store, config: testConfig({ WORKLENS_PORT: "0", WORKLENS_LOG_LEVEL: "silent", WORKLENS_TLS_CERT: cert, WORKLENS_TLS_KEY: key }) });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const request = httpsRequest(`${server.url}/api/health`, { ca: readFileSync(cert) }, (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => { resolve(text); });
        });
        request.on("error", reject);
        request.end();
      });
      expect(JSON.parse(body)).toEqual({ status: "ok" });
    } finally {
      await server.shutdown("test");
    }
  });

  it("reports a missing certificate file", async () => {
    const missing = join(folder, "missing.pem");
    await expect(startServer({ store, config: testConfig({ WORKLENS_PORT: "0", WORKLENS_TLS_CERT: missing, WORKLENS_TLS_KEY: missing }) })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `TLS certificate file ${missing} cannot be read`,
    });
  });
});
