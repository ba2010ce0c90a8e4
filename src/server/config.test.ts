import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { DEFAULT_BODY_LIMIT_BYTES, loadServerConfig } from "./config.js";

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "worklens-server-config-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function writeConfig(name: string, value: unknown): string {
  const file = join(folder, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

function failure(run: () => unknown): WorklensError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

describe("loadServerConfig", () => {
  it("defaults to 127.0.0.1:8377", () => {
    const config = loadServerConfig({}, {});
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8377);
    expect(config.tls).toBeUndefined();
    expect(config.adminToken).toBeUndefined();
    expect(config.bodyLimitBytes).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect(config.rateLimit).toEqual({ max: 300, windowSeconds: 60 });
    expect(config.heartbeats).toEqual({ maxAgeDays: 365, futureSkewSeconds: 600 });
  });

  it("is frozen", () => {
    const config = loadServerConfig({}, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.rateLimit)).toBe(true);
  });

  it("flags beat environment beat file", () => {
    const file = writeConfig("layered.json", { host: "0.0.0.0", port: 9000, rateLimit: { max: 10 }, heartbeats: { maxAgeDays: 30 } });
    const fromFile = loadServerConfig({ config: file }, {});
    expect(fromFile.host).toBe("0.0.0.0");
    expect(fromFile.port).toBe(9000);
    expect(fromFile.rateLimit).toEqual({ max: 10, windowSeconds: 60 });
    expect(fromFile.heartbeats.maxAgeDays).toBe(30);

    const fromEnv = loadServerConfig({ config: file }, { WORKLENS_PORT: "9100", WORKLENS_RATE_LIMIT_MAX: "20", WORKLENS_HOST: "" });
    expect(fromEnv.port).toBe(9100);
    expect(fromEnv.host).toBe("0.0.0.0");
    expect(fromEnv.rateLimit.max).toBe(20);

    const fromFlags = loadServerConfig({ config: file, port: "9200", host: "127.0.0.2" }, { WORKLENS_PORT: "9100" });
    expect(fromFlags.port).toBe(9200);
    expect(fromFlags.host).toBe("127.0.0.2");
  });

  it("reads TLS paths from the environment", () => {
    const config = loadServerConfig({}, { WORKLENS_TLS_CERT: "/etc/worklens/cert.pem", WORKLENS_TLS_KEY: "/etc/worklens/key.pem" });
    expect(config.tls).toEqual({ cert: "/etc/worklens/cert.pem", key: "/etc/worklens/key.pem" });
  });

  it("rejects half a TLS pair", () => {
    const error = failure(() => loadServerConfig({ tlsCert: "/etc/worklens/cert.pem" }, {}));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("TLS certificate needs its key");
  });

  it("names the setting, not the value", () => {
    const error = failure(() => loadServerConfig({}, { WORKLENS_PORT: "eighty", WORKLENS_ADMIN_TOKEN: "short-secret-token" }));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("port:");
    expect(error.message).toContain("adminToken:");
    expect(error.message).not.toContain("eighty");
    expect(error.message).not.toContain("short-secret-token");
  });

  it("reads webhook secrets from file and environment", () => {
    const none = loadServerConfig({}, {});
    expect(none.github.webhookSecret).toBeUndefined();
    expect(none.gitlab.webhookToken).toBeUndefined();
    expect(none.jira.webhookSecret).toBeUndefined();

    const file = writeConfig("webhooks.json", { github: { webhookSecret: "github-secret-from-file" }, jira: { webhookSecret: "jira-secret-from-file-0" } });
    const config = loadServerConfig({ config: file }, { WORKLENS_GITLAB_WEBHOOK_TOKEN: "gitlab-token-from-env", WORKLENS_JIRA_WEBHOOK_SECRET: "jira-secret-from-env-00" });
    expect(config.github.webhookSecret).toBe("github-secret-from-file");
    expect(config.gitlab.webhookToken).toBe("gitlab-token-from-env");
    expect(config.jira.webhookSecret).toBe("jira-secret-from-env-00");
    expect(Object.isFrozen(config.github)).toBe(true);
  });

  it("rejects a short webhook secret without echoing it", () => {
    const error = failure(() => loadServerConfig({}, { WORKLENS_GITHUB_WEBHOOK_SECRET: "tiny-secret" }));
    expect(error.code).toBe("USAGE");
    expect(error.message).toContain("github.webhookSecret:");
    expect(error.message).not.toContain("tiny-secret");
  });

  it("rejects unknown keys in the file", () => {
    const file = writeConfig("unknown.json", { hots: "127.0.0.1" });
    expect(failure(() => loadServerConfig({ config: file }, {})).message).toContain("unrecognized_keys");
  });

  it("rejects a bad config file", () => {
    expect(failure(() => loadServerConfig({ config: join(folder, "missing.json") }, {})).code).toBe("NOT_FOUND");
    expect(failure(() => loadServerConfig({ config: writeConfig("broken.json", "{port: 1") }, {})).message).toContain("not valid JSON");
    expect(failure(() => loadServerConfig({ config: writeConfig("array.json", [1]) }, {})).message).toContain("does not contain a JSON object");
  });
});
