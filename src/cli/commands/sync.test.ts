import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { jiraAuthorization } from "../../connectors/jira/credentials.js";
import { startMockJira, type MockJira } from "../../connectors/jira/test-support/mock-jira.js";
import { loadConfig } from "../config.js";
import type { CommandContext } from "../context.js";
import { registerSync } from "./sync.js";

const ENV = { WORKLENS_JIRA_EMAIL: "sync@example.com", WORKLENS_JIRA_API_TOKEN: "cli-secret-token" };

describe("worklens sync jira", () => {
  let folder: string;
  let jira: MockJira;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-sync-"));
    jira = await startMockJira({
      authorization: jiraAuthorization("cloud", ENV),
      issues: [
        { id: "10001", key: "PROJ-1", updated: "2025-03-02T09:00:00.000+0100" },
        { id: "10002", key: "PROJ-2", updated: "2025-03-02T10:00:00.000+0100" },
        { id: "20001", key: "OTHER-1", updated: "2025-03-02T10:00:00.000+0100" },
      ],
    });
  });
  afterEach(async () => {
    await jira.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
    let out = "";
    const context: CommandContext = {
      config: loadConfig({ store: join(folder, "store.sqlite") }, {}, false),
      logger: pino({ level: "silent" }),
      out: (text) => (out += text),
      err: () => undefined,
    };
    const program = new Command("worklens").exitOverride();
    registerSync(program, () => context, env);
    await program.parseAsync(["sync", "jira", ...args], { from: "user" });
    return out;
  }

  it("prints counts and adds nothing on a re-run", async () => {
    const first = await run(ENV, "--url", jira.url, "--cloud", "--project", "PROJ");
    const second = await run(ENV, "--url", jira.url, "--cloud", "--project", "PROJ");

    expect(first).toContain(`jira ${jira.url}: 6 imported, 0 duplicate, 0 skipped`);
    expect(first).toContain("issues: 2 new, 0 updated, 0 unchanged");
    expect(second).toContain(`jira ${jira.url}: 0 imported, 3 duplicate, 0 skipped`);
  });

  it("names a missing credential variable", async () => {
    const error = await run({ WORKLENS_JIRA_EMAIL: "sync@example.com" }, "--url", jira.url, "--cloud").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).message).toBe("WORKLENS_JIRA_API_TOKEN is not set");
    expect((error as WorklensError).hint).toContain("API token");
    expect(jira.requests).toEqual([]);
  });

  it("requires the flavor for a non-Cloud host", async () => {
    const error = await run(ENV, "--url", jira.url).catch((e: unknown) => e);

    expect((error as WorklensError).message).toContain("Jira Cloud or Data Center");
  });

  it("rejects credentials over plain http", async () => {
    const error = await run(ENV, "--url", "http://jira.example.com", "--data-center").catch((e: unknown) => e);

    expect((error as WorklensError).message).toContain("credentials are sent only over https");
  });
});
