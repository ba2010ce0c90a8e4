import type * as DnsModule from "node:dns";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import type * as NetModule from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";

// The CommonJS module objects, because ESM namespace objects cannot be patched.
const require = createRequire(import.meta.url);
const dns = require("node:dns") as typeof DnsModule;
const net = require("node:net") as typeof NetModule;

const ROOT = resolve(import.meta.dirname, "../..");
const NUTCH = join(ROOT, "data/nutch");

/** Client packages of hosted AI services; a scoped entry ending in "/" matches the whole scope. */
const HOSTED_AI_PACKAGES = [
  "openai",
  "@anthropic-ai/",
  "@google/generative-ai",
  "@google/genai",
  "@google-cloud/vertexai",
  "@google-cloud/aiplatform",
  "cohere-ai",
  "@huggingface/inference",
  "replicate",
  "@mistralai/",
  "groq-sdk",
  "@azure/openai",
  "@aws-sdk/client-bedrock-runtime",
  "together-ai",
  "@ai-sdk/",
];

/** API hosts of hosted AI services, matched as plain text in source files. */
const HOSTED_AI_HOSTS = [
  "api.openai.com",
  "openai.azure.com",
  "api.anthropic.com",
  "generativelanguage.googleapis.com",
  "aiplatform.googleapis.com",
  "api.cohere.ai",
  "api.cohere.com",
  "api-inference.huggingface.co",
  "router.huggingface.co",
  "api.replicate.com",
  "api.mistral.ai",
  "api.groq.com",
  "bedrock-runtime",
  "api.together.xyz",
  "api.deepseek.com",
];

interface Attempt {
  host: string;
  port: number | undefined;
}

/**
 * Records every outbound TCP connection and DNS lookup of this process. Connections to
 * loopback addresses and local sockets go through. Any other connection is rejected
 * before the socket opens, so nothing is sent, and every DNS lookup of a name is
 * rejected without a query.
 */
class NetworkRecorder {
  readonly connections: Attempt[] = [];
  readonly lookups: string[] = [];
  readonly #restore: (() => void)[] = [];

  install(): void {
    const connections = this.connections;
    const lookups = this.lookups;
    // Kept as a plain function value: it is restored onto the prototype, never called unbound.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const originalConnect = net.Socket.prototype.connect;
    const patchedConnect = function (this: NetModule.Socket, ...args: unknown[]): NetModule.Socket {
      const target = connectTarget(args);
      if (target === "local-socket" || isLoopback(target.host)) {
        return (originalConnect as (...a: unknown[]) => NetModule.Socket).apply(this, args);
      }
      connections.push(target);
      process.nextTick(() => this.destroy(new Error(`outbound connection to ${target.host}:${String(target.port)} refused by the test's network recorder`)));
      return this;
    };
    net.Socket.prototype.connect = patchedConnect;
    this.#restore.push(() => {
      net.Socket.prototype.connect = originalConnect;
    });

    const refuse = (hostname: string) => {
      lookups.push(hostname);
      return Object.assign(new Error(`DNS lookup of ${hostname} refused by the test's network recorder`), { code: "ENOTFOUND" });
    };
    const originalLookup = dns.lookup;
    const originalPromisesLookup = dns.promises.lookup;
    dns.lookup = ((hostname: string, ...rest: unknown[]) => {
      // Node resolves an IP literal itself without a query, and listen() looks its host up this way.
      if (net.isIP(hostname) !== 0) {
        (originalLookup as (...a: unknown[]) => void)(hostname, ...rest);
        return;
      }
      const callback = rest.at(-1) as (error: Error) => void;
      const error = refuse(hostname);
      process.nextTick(() => { callback(error); });
    }) as typeof dns.lookup;
    dns.promises.lookup = ((hostname: string, ...rest: unknown[]) =>
      net.isIP(hostname) !== 0 ? (originalPromisesLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest) : Promise.reject(refuse(hostname))) as typeof dns.promises.lookup;
    this.#restore.push(() => {
      dns.lookup = originalLookup;
      dns.promises.lookup = originalPromisesLookup;
    });
    // ESM imports of node:dns and node:net read the patched functions only after this.
    syncBuiltinESMExports();
  }

  uninstall(): void {
    for (const restore of this.#restore.reverse()) restore();
    this.#restore.length = 0;
    syncBuiltinESMExports();
  }

  clear(): void {
    this.connections.length = 0;
    this.lookups.length = 0;
  }
}

/** Extracts the host and port of a Socket#connect call, or "local-socket" for a Unix socket or named pipe. */
function connectTarget(args: unknown[]): Attempt | "local-socket" {
  let first = args[0];
  // net.connect passes its normalized [options, callback] pair as one array.
  if (Array.isArray(first)) first = first[0];
  if (typeof first === "object" && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === "string") return "local-socket";
    return { host: typeof options.host === "string" ? options.host : "localhost", port: Number(options.port) };
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return "local-socket";
  return { host: typeof args[1] === "string" ? args[1] : "localhost", port: Number(first) };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host) || host === "::ffff:127.0.0.1";
}

/** Names of packages in a package-lock.json (lockfile version 2 or 3) that are hosted-AI clients. */
function hostedAiPackagesIn(lock: { packages?: Record<string, unknown> }): string[] {
  const names = Object.keys(lock.packages ?? {})
    .filter((path) => path.includes("node_modules/"))
    .map((path) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  return [...new Set(names.filter((name) => HOSTED_AI_PACKAGES.some((entry) => (entry.endsWith("/") ? name.startsWith(entry) : name === entry))))].sort();
}

/** Hosted-AI hosts named in a text. */
function hostedAiHostsIn(text: string): string[] {
  const lower = text.toLowerCase();
  return HOSTED_AI_HOSTS.filter((host) => lower.includes(host));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs|json)$/.test(name) ? [path] : [];
  });
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli({ argv: args, env: { ...process.env, WORKLENS_STORE: "", WORKLENS_LOG_LEVEL: "warn" }, out: (text) => { out += text; }, err: (text) => { err += text; }, stderrIsTty: false });
  return { code, out, err };
}

describe("no third-party AI", () => {
  const recorder = new NetworkRecorder();
  const folder = mkdtempSync(join(tmpdir(), "worklens-no-ai-"));

  beforeAll(() => {
    recorder.install();
  });
  afterAll(() => {
    recorder.uninstall();
    rmSync(folder, { recursive: true, force: true });
  });

  it("records a TEST-NET connection attempt", async () => {
    recorder.clear();
    const socket = net.connect({ host: "192.0.2.1", port: 443, timeout: 500 });
    const outcome = await new Promise<string>((done) => {
      socket.on("error", (error: Error) => { done(error.message); });
      socket.on("timeout", () => {
        socket.destroy();
        done("timed out");
      });
      socket.on("connect", () => {
        socket.destroy();
        done("connected");
      });
    });
    expect(outcome).toContain("refused by the test's network recorder");
    expect(recorder.connections).toEqual([{ host: "192.0.2.1", port: 443 }]);
  });

  it("records a DNS lookup", async () => {
    recorder.clear();
    await expect(dns.promises.lookup("worklens.example")).rejects.toThrow("refused by the test's network recorder");
    expect(recorder.lookups).toEqual(["worklens.example"]);
  });

  it("lets loopback connections through", async () => {
    recorder.clear();
    const server = net.createServer((socket: NetModule.Socket) => socket.end("ok"));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address() as NetModule.AddressInfo;
    const reply = await new Promise<string>((done, fail) => {
      const socket = net.connect({ host: "127.0.0.1", port: address.port });
      let data = "";
      socket.on("data", (chunk: Buffer) => { data += chunk.toString("utf8"); });
      socket.on("end", () => { done(data); });
      socket.on("error", fail);
    });
    await new Promise<void>((done) => server.close(() => { done(); }));
    expect(reply).toBe("ok");
    expect(recorder.connections).toEqual([]);
  });

  it("runs the demo without network", async () => {
    recorder.clear();
    const demo = await cli(["demo", "--out", join(folder, "demo")]);
    expect(demo.err).not.toContain("error");
    expect(demo.code).toBe(0);
    expect(demo.out).toMatch(/\d+ linked by ranking/);
    expect(demo.out).toContain("models: ");
    expect(recorder.connections).toEqual([]);
    expect(recorder.lookups).toEqual([]);
  }, 300_000);

  it("trains a model without network", async () => {
    recorder.clear();
    const modelFile = join(folder, "ranker.json");
    const trained = await cli(["eval", "linking", "--jira", join(NUTCH, "jira-issues.json"), "--git", join(NUTCH, "git-log.txt"), "--mask-keys", "--model", "train", "--split-date", "2010-08-04", "--save-model", modelFile]);
    expect(trained.code).toBe(0);
    expect(trained.err).toMatch(/trained on \d+ activities/);
    expect(statSync(modelFile).size).toBeGreaterThan(0);
    expect(recorder.connections).toEqual([]);
    expect(recorder.lookups).toEqual([]);
  }, 300_000);

  it("has no hosted-AI client in the lockfile", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages?: Record<string, unknown> };
    expect(Object.keys(lock.packages ?? {}).length).toBeGreaterThan(50);
    expect(hostedAiPackagesIn(lock)).toEqual([]);
    // Control: the same check finds clients planted in a copy of the lockfile.
    const planted = { packages: { ...lock.packages, "node_modules/openai": {}, "node_modules/@anthropic-ai/sdk": {}, "node_modules/x/node_modules/groq-sdk": {} } };
    expect(hostedAiPackagesIn(planted)).toEqual(["@anthropic-ai/sdk", "groq-sdk", "openai"]);
  });

  it("names no hosted-AI host in source", () => {
    const files = [...sourceFiles(join(ROOT, "src")), join(ROOT, "package.json")];
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => hostedAiHostsIn(readFileSync(file, "utf8")).map((host) => `${file}: ${host}`));
    expect(found).toEqual([]);
    // Control: the scan finds a host in a line like one a client library would hold.
    expect(hostedAiHostsIn('const base = "https://API.OpenAI.com/v1";')).toEqual(["api.openai.com"]);
  });
});
