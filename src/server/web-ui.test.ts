import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore, type TestStore } from "../store/test-support/backends.js";
import { buildApp } from "./app.js";
import { testConfig } from "./test-support/app.js";

describe("the web UI's files", () => {
  let folder: string;
  let handle: TestStore;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-web-"));
    mkdirSync(join(folder, "assets"));
    writeFileSync(join(folder, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(join(folder, "assets", "index-abc123.js"), "console.log('ui')");
    handle = await openTestStore("sqlite");
  });

  afterAll(async () => {
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  async function app(webRoot: string) {
    return buildApp({ store: handle.store, config: testConfig(), webRoot, logStream: { write: () => undefined } });
  }

  it("page paths get index.html with CSP", async () => {
    const server = await app(folder);
    for (const url of ["/", "/week", "/admin/audit"]) {
      const response = await server.inject({ url, headers: { accept: "text/html,application/xhtml+xml" } });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toContain("<div id=root>");
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
    }
    await server.close();
  });

  it("assets cached, API paths JSON 404", async () => {
    const server = await app(folder);
    const asset = await server.inject({ url: "/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await server.inject({ url: "/assets/missing.js" })).statusCode).toBe(404);
    const api = await server.inject({ url: "/api/worklens/v1/nothing-here", headers: { accept: "text/html" } });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toHaveProperty("error");
    await server.close();
  });

  it("unbuilt UI gets 503 with hint", async () => {
    const server = await app(join(folder, "not-built"));
    const response = await server.inject({ url: "/", headers: { accept: "text/html" } });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ hint: expect.stringContaining("npm run build") as unknown });
    await server.close();
  });
});
