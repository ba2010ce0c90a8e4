import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJiraClient } from "../../connectors/jira/client.js";
import { jiraAuthorization } from "../../connectors/jira/credentials.js";
import { syncJira } from "../../connectors/jira/sync.js";
import { startMockJira, type MockJira } from "../../connectors/jira/test-support/mock-jira.js";
import type { IssueInput } from "../../domain/types.js";
import type { Store } from "../../store/store.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importJira } from "./import.js";
import { parseJira } from "./parse.js";

function issue(id: string, key: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    key,
    fields: {
      summary: `Work on ${key}`,
      created: "2025-03-01T09:00:00.000+0100",
      updated: "2025-03-02T09:00:00.000+0100",
      status: { name: "Open" },
      ...fields,
    },
  };
}

function parsedIssues(document: unknown): { issues: IssueInput[]; warnings: string[]; skipped: unknown[] } {
  const parsed = parseJira(JSON.stringify(document), { file: "export.json" });
  return { issues: parsed.records.flatMap((r) => (r.kind === "issue" ? [r.issue] : [])), warnings: parsed.warnings, skipped: parsed.skipped };
}

async function labelsByKey(store: Store): Promise<Record<string, readonly string[] | undefined>> {
  return Object.fromEntries((await store.issues.list()).map((i) => [i.key, i.labels]));
}

describe("parseJira labels", () => {
  it("reads labels sorted without repeats", () => {
    const { issues, warnings } = parsedIssues({ issues: [issue("1", "PROJ-1", { labels: ["opex", "capex", "opex", " backend "] })] });
    expect(issues[0]?.labels).toEqual(["backend", "capex", "opex"]);
    expect(warnings).toEqual([]);
  });

  it("leaves labels out when there are none", () => {
    const { issues } = parsedIssues({ issues: [issue("1", "PROJ-1", { labels: [] }), issue("2", "PROJ-2", { labels: null }), issue("3", "PROJ-3")] });
    expect(issues.map((i) => i.labels)).toEqual([undefined, undefined, undefined]);
  });

  it("warns about entries that are not names", () => {
    const { issues, warnings, skipped } = parsedIssues({ issues: [issue("1", "PROJ-1", { labels: ["capex", 7, "", { name: "x" }] })] });
    expect(skipped).toEqual([]);
    expect(issues[0]?.labels).toEqual(["capex"]);
    expect(warnings).toEqual(["issues[0] (PROJ-1): fields.labels has 3 entries that are not label names; they are left out"]);
  });
});

describe.each(BACKENDS)("Jira labels on %s", (backend) => {
  let handle: TestStore;
  let folder: string;
  let jira: MockJira | undefined;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    folder = mkdtempSync(join(tmpdir(), "worklens-labels-"));
  });
  afterEach(async () => {
    await jira?.close();
    jira = undefined;
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  function write(name: string, document: unknown): string {
    const file = join(folder, name);
    writeFileSync(file, JSON.stringify(document));
    return file;
  }

  it("stores labels on import", async () => {
    const file = write("issues.json", { issues: [issue("1", "PROJ-1", { labels: ["capex", "backend"] }), issue("2", "PROJ-2")] });
    await importJira(handle.store, file);
    expect(await labelsByKey(handle.store)).toEqual({ "PROJ-1": ["backend", "capex"], "PROJ-2": [] });
  });

  it("updates labels on re-import", async () => {
    const { store } = handle;
    await importJira(store, write("first.json", { issues: [issue("1", "PROJ-1", { labels: ["capex"] }), issue("2", "PROJ-2")] }));
    const again = await importJira(store, write("second.json", { issues: [issue("1", "PROJ-1", { labels: ["opex"] }), issue("2", "PROJ-2")] }));
    // Only the issue whose labels changed is updated; the other stays a duplicate.
    expect(again.counts.issues).toMatchObject({ imported: 0, updated: 1, duplicate: 1 });
    expect(await labelsByKey(store)).toEqual({ "PROJ-1": ["opex"], "PROJ-2": [] });
  });

  it("stores labels from a sync", async () => {
    const authorization = jiraAuthorization("cloud", { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "token" });
    jira = await startMockJira({
      authorization,
      timeZone: "Europe/Berlin",
      pageSize: 2,
      issues: [{ id: "10001", key: "PROJ-1", updated: "2025-03-02T09:00:00.000+0100", fields: { labels: ["capex"] } }],
    });
    const now = () => Date.UTC(2025, 2, 10);
    const client = createJiraClient({
      flavor: "cloud",
      env: { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "token" },
      baseUrl: jira.url,
      sleep: () => Promise.resolve(),
      random: () => 0.5,
      now,
    });
    await syncJira(handle.store, client, { flavor: "cloud", baseUrl: jira.url, projects: ["PROJ"], now });
    expect(await labelsByKey(handle.store)).toEqual({ "PROJ-1": ["capex"] });
  });
});
