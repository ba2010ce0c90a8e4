import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { importGit } from "../../ingest/git/import.js";
import { BACKENDS } from "../../store/test-support/backends.js";
import { openTestApp, type TestApp } from "../test-support/app.js";

const GITHUB_SECRET = "github-webhook-secret-for-tests";
const GITLAB_TOKEN = "gitlab-webhook-token-for-tests";
const JIRA_SECRET = "jira-webhook-secret-for-tests";
const SECRETS = {
  WORKLENS_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
  WORKLENS_GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
  WORKLENS_JIRA_WEBHOOK_SECRET: JIRA_SECRET,
};

/** 2025-03-12T12:00:00Z, the server's clock in these tests. */
const NOW = Date.UTC(2025, 2, 12, 12);

/** Returns the branch push of @octokit/webhooks-examples, which has one commit by Codertocat. */
function githubPushExample(): Record<string, unknown> {
  const path = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
  const definitions = z
    .array(z.object({ name: z.string(), examples: z.array(z.record(z.string(), z.unknown())) }))
    .parse(JSON.parse(readFileSync(path, "utf8")));
  const push = definitions.find((definition) => definition.name === "push")?.examples.find((example) => example["ref"] === "refs/heads/master");
  if (push === undefined) throw new Error("@octokit/webhooks-examples has no branch push example");
  return push;
}
const GITHUB_PUSH = JSON.stringify(githubPushExample());
const GITHUB_SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

/** The field case of a GitLab push of 25 commits that lists the newest 20. */
const GITLAB_PUSH = JSON.stringify(
  z.object({ body: z.unknown() }).parse(JSON.parse(readFileSync(new URL("../../../../shared/cases/field/17-gitlab-push-commit-cap.json", import.meta.url), "utf8"))).body,
);

const BEN = { accountId: "712020:ben", displayName: "Ben Ito", timeZone: "Asia/Tokyo" };
const JIRA_UPDATE = JSON.stringify({
  timestamp: Date.UTC(2025, 2, 11, 16, 30),
  webhookEvent: "jira:issue_updated",
  user: BEN,
  issue: {
    id: "10042",
    key: "PROJ-7",
    fields: {
      summary: "Import calendars",
      project: { key: "PROJ" },
      issuetype: { name: "Task", subtask: false },
      status: { name: "In Progress", statusCategory: { key: "indeterminate" } },
      created: "2025-03-10T09:00:00.000+0000",
      updated: "2025-03-11T16:30:00.000+0000",
      assignee: BEN,
    },
  },
  changelog: { id: "30137", items: [{ field: "status", fieldtype: "jira", fieldId: "status", from: "10000", fromString: "To Do", to: "3", toString: "In Progress" }] },
});

async function storedSourceUids(t: TestApp): Promise<string[]> {
  const rows = await t.handle.store.db.selectFrom("activities").select("source_uid").orderBy("source_uid").execute();
  return rows.map((row) => row.source_uid);
}

function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

describe.each(BACKENDS)("webhooks on %s", (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(backend, { clock: () => NOW, env: SECRETS });
  });
  afterEach(async () => {
    await t.close();
  });

  function github(body: string, headers: Record<string, string> = {}) {
    return t.app.inject({
      method: "POST",
      url: "/api/webhooks/github",
      payload: body,
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "delivery-1", "x-hub-signature-256": sign(body, GITHUB_SECRET), ...headers },
    });
  }

  function gitlab(body: string, headers: Record<string, string> = {}) {
    return t.app.inject({
      method: "POST",
      url: "/api/webhooks/gitlab",
      payload: body,
      headers: { "content-type": "application/json", "x-gitlab-event": "Push Hook", "x-gitlab-token": GITLAB_TOKEN, "idempotency-key": "gitlab-1", ...headers },
    });
  }

  describe("GitHub", () => {
    it("stores pushed commits", async () => {
      const response = await github(GITHUB_PUSH);

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ status: "accepted", event: "push", activities: 1, imported: 1, duplicate: 0, skipped: [] });
      expect(await storedSourceUids(t)).toEqual([`git:${GITHUB_SHA}`]);
      const stored = await t.handle.store.activities.list({ source: "git" });
      expect(stored.map((a) => a.kind)).toEqual(["commit"]);
      expect(await t.handle.store.webhooks.count("github")).toBe(1);
    });

    it("same delivery is a duplicate", async () => {
      await github(GITHUB_PUSH);
      const again = await github(GITHUB_PUSH);

      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ status: "duplicate", event: "push" });
      expect(await t.handle.store.activities.count()).toBe(1);
      expect(await t.handle.store.webhooks.count("github")).toBe(1);
    });

    it("bad signature is 401, nothing stored", async () => {
      const response = await github(GITHUB_PUSH, { "x-hub-signature-256": sign(GITHUB_PUSH, "another-secret-of-the-sender") });

      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: string }>().error).toContain("X-Hub-Signature-256 does not match the body");
      expect(response.body).not.toContain(GITHUB_SECRET);
      expect(await t.handle.store.activities.count()).toBe(0);
      expect(await t.handle.store.webhooks.count("github")).toBe(0);
    });

    it("missing signature is 401", async () => {
      const response = await github(GITHUB_PUSH, { "x-hub-signature-256": "" });
      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: string }>().error).toContain("X-Hub-Signature-256 is missing");
    });

    it("needs no API key", async () => {
      const response = await github(GITHUB_PUSH, { authorization: "Bearer not-a-worklens-key" });
      expect(response.statusCode).toBe(202);
    });

    it("commit from a git log dedupes", async () => {
      const folder = mkdtempSync(join(tmpdir(), "worklens-webhook-git-"));
      try {
        const log = join(folder, "git-log.txt");
        writeFileSync(
          log,
          [
            `commit ${GITHUB_SHA}`,
            "Author:     Codertocat <21031067+Codertocat@users.noreply.github.com>",
            "AuthorDate: 2019-05-15T15:19:25+00:00",
            "Commit:     GitHub <noreply@github.com>",
            "CommitDate: 2019-05-15T15:19:25+00:00",
            "",
            "    Initial commit",
            "",
            "1\t0\tREADME.md",
            "",
          ].join("\n"),
        );
        const fromLog = await importGit(t.handle.store, log, { repo: "Hello-World" });
        expect(fromLog.imported).toBe(1);

        const response = await github(GITHUB_PUSH);

        expect(response.json()).toMatchObject({ status: "accepted", activities: 1, imported: 0, duplicate: 1 });
        expect(await t.handle.store.activities.count()).toBe(1);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it("verifies a body of any content type", async () => {
      const response = await t.app.inject({
        method: "POST",
        url: "/api/webhooks/github",
        payload: GITHUB_PUSH,
        headers: { "content-type": "text/plain", "x-github-event": "push", "x-github-delivery": "plain-1", "x-hub-signature-256": sign(GITHUB_PUSH, GITHUB_SECRET) },
      });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ imported: 1 });
    });

    it("empty body without content type is 401", async () => {
      const response = await t.app.inject({ method: "POST", url: "/api/webhooks/github", headers: { "x-github-event": "push", "x-github-delivery": "empty-1" } });
      expect(response.statusCode).toBe(401);
    });

    it("ping is accepted without records", async () => {
      const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
      const response = await github(body, { "x-github-event": "ping", "x-github-delivery": "ping-1" });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ status: "accepted", event: "ping", activities: 0 });
    });

    it("unknown event is ignored", async () => {
      const body = JSON.stringify({ action: "created" });
      const response = await github(body, { "x-github-event": "star", "x-github-delivery": "star-1" });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ status: "ignored", event: "star", reason: 'GitHub event "star" is not read by worklens' });
      expect(await t.handle.store.webhooks.count("github")).toBe(0);
    });

    it("invalid payload is 400 without values", async () => {
      const body = JSON.stringify({ ref: "refs/heads/main", commits: "secret-looking-value" });
      const response = await github(body, { "x-github-delivery": "bad-1" });
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toContain("secret-looking-value");
      expect(await t.handle.store.webhooks.count("github")).toBe(0);
    });

    it("form-encoded body is 400 with a hint", async () => {
      const body = `payload=${encodeURIComponent(GITHUB_PUSH)}`;
      const response = await github(body, { "content-type": "application/x-www-form-urlencoded" });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: string }>().error).toContain("form-encoded");
    });

    it("logs hold no secret or payload", async () => {
      await github(GITHUB_PUSH);
      await github(GITHUB_PUSH, { "x-hub-signature-256": sign(GITHUB_PUSH, "another-secret-of-the-sender"), "x-github-delivery": "delivery-2" });
      const logs = t.logs();
      expect(logs).toContain("webhook delivery stored");
      expect(logs).not.toContain(GITHUB_SECRET);
      expect(logs).not.toContain("Initial commit");
      expect(logs).not.toContain("Codertocat@users.noreply.github.com");
    });
  });

  describe("GitLab", () => {
    it("stores a capped push and reports truncation", async () => {
      const response = await gitlab(GITLAB_PUSH);

      expect(response.statusCode).toBe(202);
      const body = response.json<{ imported: number; truncated: Record<string, unknown> }>();
      expect(body).toMatchObject({ status: "accepted", event: "Push Hook", activities: 20, imported: 20, duplicate: 0 });
      expect(body.truncated).toMatchObject({
        listed: 20,
        total: 25,
        before: "a".repeat(40),
        after: "14".repeat(20),
        projectId: 1,
      });
      expect(await t.handle.store.activities.count()).toBe(20);
      const uids = await storedSourceUids(t);
      expect(uids.every((uid) => /^git:[0-9a-f]{40}$/.test(uid))).toBe(true);

      const warning = t.logs().split("\n").filter((line) => line.includes("webhook push is truncated"));
      expect(warning).toHaveLength(1);
      expect(warning[0]).toContain(`"before":"${"a".repeat(40)}"`);
      expect(warning[0]).toContain(`"after":"${"14".repeat(20)}"`);
      expect(warning[0]).not.toContain(GITLAB_TOKEN);
    });

    it("wrong token is 401, nothing stored", async () => {
      const response = await gitlab(GITLAB_PUSH, { "x-gitlab-token": "not-the-configured-token" });

      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: string }>().error).toContain("X-Gitlab-Token does not match");
      expect(response.body).not.toContain(GITLAB_TOKEN);
      expect(await t.handle.store.activities.count()).toBe(0);
    });

    it("dedupes by event UUID without idempotency key", async () => {
      const headers = { "idempotency-key": "", "x-gitlab-event-uuid": "0b0c9d8a-uuid" };
      expect((await gitlab(GITLAB_PUSH, headers)).statusCode).toBe(202);
      const again = await gitlab(GITLAB_PUSH, headers);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ status: "duplicate" });
      expect(await t.handle.store.webhooks.count("gitlab")).toBe(1);
    });
  });

  describe("Jira", () => {
    function jira(body: string, headers: Record<string, string> = {}) {
      return t.app.inject({
        method: "POST",
        url: "/api/webhooks/jira",
        payload: body,
        headers: { "content-type": "application/json", "x-atlassian-webhook-identifier": "jira-1", "x-hub-signature": sign(body, JIRA_SECRET), ...headers },
      });
    }

    it("status change becomes event and action", async () => {
      const response = await jira(JIRA_UPDATE);

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({
        status: "accepted",
        event: "jira:issue_updated",
        activities: 1,
        issues: { imported: 1 },
        events: { imported: 2, duplicate: 0 },
        actions: { imported: 1, duplicate: 0 },
      });
      const events = await t.handle.store.issues.events();
      expect(events.map((e) => e.kind).sort()).toEqual(["create", "status_change"]);
      const actions = (await t.handle.store.activities.list({ source: "jira" })).filter((a) => a.kind === "issue_action");
      expect(actions).toHaveLength(1);

      const again = await jira(JIRA_UPDATE);
      expect(again.json()).toEqual({ status: "duplicate", event: "jira:issue_updated" });
    });

    it("deleted issue keeps what is stored", async () => {
      await jira(JIRA_UPDATE);
      const deletion = JSON.stringify({ timestamp: Date.UTC(2025, 2, 12), webhookEvent: "jira:issue_deleted", user: BEN, issue: { id: "10042", key: "PROJ-7" } });
      const response = await jira(deletion, { "x-atlassian-webhook-identifier": "jira-2" });

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ status: "accepted", skipped: [{ record: "issue PROJ-7" }] });
      expect(await t.handle.store.issues.list()).toHaveLength(1);
      expect(await t.handle.store.issues.events()).toHaveLength(2);
    });

    it("bad signature is 401", async () => {
      const response = await jira(JIRA_UPDATE, { "x-hub-signature": sign(JIRA_UPDATE, "another-secret-of-the-sender") });
      expect(response.statusCode).toBe(401);
      expect(await t.handle.store.issues.list()).toHaveLength(0);
    });
  });
});

describe("webhook routes", () => {
  it("absent when not configured", async () => {
    const t = await openTestApp("sqlite", { env: { WORKLENS_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET } });
    try {
      for (const vendor of ["gitlab", "jira"]) {
        const response = await t.app.inject({ method: "POST", url: `/api/webhooks/${vendor}`, payload: "{}", headers: { "content-type": "application/json" } });
        expect(response.statusCode, vendor).toBe(404);
        expect(response.json<{ hint: string }>().hint, vendor).toContain("secret is configured");
      }
    } finally {
      await t.close();
    }
  });

  it("413 over the body limit", async () => {
    const t = await openTestApp("sqlite", { env: { ...SECRETS, WORKLENS_BODY_LIMIT_BYTES: "1024" } });
    try {
      const body = JSON.stringify({ padding: "x".repeat(2048) });
      const response = await t.app.inject({
        method: "POST",
        url: "/api/webhooks/github",
        payload: body,
        headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "big-1", "x-hub-signature-256": sign(body, GITHUB_SECRET) },
      });
      expect(response.statusCode).toBe(413);
      expect(response.json<{ error: string }>().error).toContain("1024 bytes");
      expect(response.json<{ hint: string }>().hint).toContain("bodyLimitBytes");
      expect(await t.handle.store.webhooks.count("github")).toBe(0);
    } finally {
      await t.close();
    }
  });
});
