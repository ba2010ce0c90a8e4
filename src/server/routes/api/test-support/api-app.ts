import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { runAllocation } from "../../../../allocation/run-allocation.js";
import { WorklensError } from "../../../../domain/errors.js";
import { importJira } from "../../../../ingest/jira/import.js";
import { importWakatime } from "../../../../ingest/wakatime/import.js";
import type { IntegrationsPort, IntegrationStatus, PushToComplete } from "../../../../integrations/port.js";
import { runLinking } from "../../../../linking/run-linking.js";
import type { Store } from "../../../../store/store.js";
import type { Backend } from "../../../../store/test-support/backends.js";
import { buildApp } from "../../../app.js";
import { createApiKey } from "../../../auth/api-keys.js";
import { basicAuth, openTestApp, testConfig, testIdentity, TEST_ADMIN_TOKEN, TEST_EMAIL, type TestApp } from "../../../test-support/app.js";
import { API_PREFIX } from "../common.js";

export const OTHER_EMAIL = "other@example.com";
/** 2025-03-13T12:00:00Z, the server's clock in the API tests. */
export const NOW = Date.UTC(2025, 2, 13, 12, 0, 0);
/** Text that only issue descriptions and comments contain, to check that the API never serves them. */
export const PRIVATE_TEXT = "confidential-roadmap-7f3a";

/** A stand-in for the integrations layer that records the routes' requests. */
export class FakeIntegrations implements IntegrationsPort {
  readonly syncRequests: string[] = [];
  writeBackRequests = 0;
  /** Names of integrations with a sync already waiting. */
  readonly queued = new Set<string>();

  list(): Promise<IntegrationStatus[]> {
    const run = { id: 7, integration: "jira-main", kind: "sync" as const, startedAt: NOW - 3_600_000, finishedAt: NOW - 3_500_000, status: "succeeded" as const, summary: { issues: 3 }, error: null };
    return Promise.resolve([
      { name: "jira-main", kind: "jira", target: "example.atlassian.net", everyMinutes: 15, writeBack: true, lastRun: run, lastSuccess: run },
      { name: "team-calendar", kind: "ics", target: "calendar.example.com", everyMinutes: null, writeBack: false, lastRun: null, lastSuccess: null },
    ]);
  }

  requestSync(name: string): Promise<string | null> {
    if (name !== "jira-main" && name !== "team-calendar") {
      return Promise.reject(new WorklensError("NOT_FOUND", `integration ${name} is not configured`, "list the integrations with GET /integrations"));
    }
    this.syncRequests.push(name);
    if (this.queued.has(name)) return Promise.resolve(null);
    this.queued.add(name);
    return Promise.resolve(`sync-${name}-${String(this.syncRequests.length)}`);
  }

  refreshRequests = 0;
  readonly pushRequests: PushToComplete[] = [];

  requestRefresh(): Promise<string | null> {
    this.refreshRequests += 1;
    return Promise.resolve(`refresh-${String(this.refreshRequests)}`);
  }

  requestPushCompletion(push: PushToComplete): Promise<string | null> {
    this.pushRequests.push(push);
    return Promise.resolve(`push-${String(this.pushRequests.length)}`);
  }

  requestWriteBack(): Promise<string | null> {
    this.writeBackRequests += 1;
    return Promise.resolve(this.writeBackRequests === 1 ? "write-back-1" : null);
  }
}

export interface ApiTestApp {
  /** The app with FakeIntegrations wired in. */
  app: FastifyInstance;
  /** The app of openTestApp, on the same store, without integrations. */
  bare: FastifyInstance;
  base: TestApp;
  integrations: FakeIntegrations;
  /** Person ids of TEST_EMAIL (the base key's person) and OTHER_EMAIL. */
  devId: number;
  otherId: number;
  devKey: string;
  otherKey: string;
  /** Every log line either app wrote so far. */
  logs(): string;
  /** Send a request as the key's person ("dev", "other") or with the admin token. */
  as(principal: "dev" | "other" | "admin", options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Open the base test app, add a second person with a key, and build an app with fake integrations on the same store. */
export async function openApiTestApp(backend: Backend): Promise<ApiTestApp> {
  const base = await openTestApp(backend, { clock: () => NOW });
  const store = base.handle.store;
  const other = await store.transaction((tx) => createApiKey(tx, testIdentity(OTHER_EMAIL), NOW));
  const integrations = new FakeIntegrations();
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  const app = await buildApp({ store, config: testConfig(), clock: () => NOW, integrations, logStream });

  const authorization = { dev: basicAuth(base.key), other: `Bearer ${other.secret}`, admin: `Bearer ${TEST_ADMIN_TOKEN}` };
  return {
    app,
    bare: base.app,
    base,
    integrations,
    devId: base.personId,
    otherId: other.personId,
    devKey: base.key,
    otherKey: other.secret,
    logs: () => base.logs() + lines.join(""),
    as: (principal, options) => {
      const url = typeof options.url === "string" && options.url.startsWith("/") && !options.url.startsWith("/api/") ? `${API_PREFIX}${options.url}` : options.url;
      return app.inject({ ...options, ...(url === undefined ? {} : { url }), headers: { authorization: authorization[principal], ...options.headers } });
    },
    close: async () => {
      await app.close();
      await base.close();
    },
  };
}

/** Build one wakatime heartbeat as wakatime-cli sends it. */
function heartbeat(time: number, branch: string, entity: string) {
  return { time, entity, type: "file", category: "coding", project: "proj", branch, is_write: true, language: "TypeScript" };
}

/** Build heartbeats every two minutes from `startUtc` for `minutes`, on one branch. */
function heartbeats(startUtc: number, minutes: number, branch: string, entity: string) {
  const list = [];
  for (let offset = 0; offset <= minutes; offset += 2) list.push(heartbeat(startUtc / 1000 + offset * 60, branch, entity));
  return list;
}

/**
 * Import two Jira issues and a few hours of heartbeats of both people through the
 * real importers, then link and allocate 2025-03-10 to 2025-03-12, so the store contains
 * real suggestions. They are: dev on PROJ-1 on both days, other on PROJ-2 on 2025-03-10.
 */
export async function seedSuggestions(store: Store): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "worklens-api-seed-"));
  try {
    const issue = (id: string, key: string, summary: string) => ({
      id,
      key,
      fields: {
        summary,
        description: `Internal notes: ${PRIVATE_TEXT}`,
        comment: { comments: [{ id: `${id}1`, body: `Comment with ${PRIVATE_TEXT}`, created: "2025-03-01T09:30:00.000+0000", author: { accountId: "acc-9", displayName: "Reporter" } }], total: 1 },
        created: "2025-03-01T09:00:00.000+0000",
        updated: "2025-03-02T09:00:00.000+0000",
        status: { name: "In Progress" },
        issuetype: { name: "Bug", subtask: false },
        project: { key: "PROJ" },
      },
    });
    const issuesFile = join(folder, "issues.json");
    writeFileSync(issuesFile, JSON.stringify({ startAt: 0, maxResults: 50, total: 2, issues: [issue("10001", "PROJ-1", "Parser drops empty lines"), issue("10002", "PROJ-2", "Crawler retries forever")] }));
    await importJira(store, issuesFile);

    const devFile = join(folder, "dev.json");
    writeFileSync(devFile, JSON.stringify([...heartbeats(Date.UTC(2025, 2, 10, 9), 120, "PROJ-1-fix-parser", "/home/dev/proj/src/parser.ts"), ...heartbeats(Date.UTC(2025, 2, 11, 13), 60, "PROJ-1-fix-parser", "/home/dev/proj/src/parser.ts")]));
    await importWakatime(store, devFile, { person: testIdentity(TEST_EMAIL) });

    const otherFile = join(folder, "other.json");
    writeFileSync(otherFile, JSON.stringify(heartbeats(Date.UTC(2025, 2, 10, 14), 90, "PROJ-2-retry-limit", "/home/other/proj/src/crawler.ts")));
    await importWakatime(store, otherFile, { person: testIdentity(OTHER_EMAIL) });

    await runLinking(store);
    await runAllocation(store, { from: "2025-03-10", to: "2025-03-12" });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Return the store's id of an issue key. */
export async function issueId(t: ApiTestApp, key: string): Promise<number> {
  const id = (await t.base.handle.store.issues.idsByKey()).get(key);
  if (id === undefined) throw new Error(`test issue ${key} is not stored`);
  return id;
}
