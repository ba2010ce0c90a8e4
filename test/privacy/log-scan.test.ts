import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyServerOptions, type InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvKeyProvider } from "../../src/privacy/key-provider.js";
import { buildApp } from "../../src/server/app.js";
import { loadServerConfig } from "../../src/server/config.js";
import { serverLoggerOptions } from "../../src/server/logging.js";
import { verifyAuditLog } from "../../src/governance/audit-verify.js";
import { Store } from "../../src/store/store.js";

/**
 * Distinctive strings planted in every kind of personal text the importers and the server
 * receive: names, e-mails, commit messages, issue summaries and descriptions, branch names,
 * file paths, meeting titles and a credential inside a URL. None may reach a log line.
 */
const MARKERS = {
  gitAuthorName: "Zyxalia Quornby",
  gitAuthorEmail: "zyxalia.quornby@marker-mail.test",
  gitCommitterEmail: "brannoch.velt@marker-mail.test",
  commitMessage: "mrkcommit-tangerine-7731",
  commitToken: "ghp_mrktokenQ7w2Lk9Xv4Rb8Nc3Hd6Jf1Ms5Pt0Yz",
  filePath: "src/mrkpath-narwhal-2207/parser.ts",
  jiraAssigneeName: "Vendrel Oskipaw",
  jiraAssigneeEmail: "vendrel.oskipaw@marker-mail.test",
  issueSummary: "mrksummary-bluefin-4410",
  issueDescription: "mrkdescription-okapi-9052",
  issueComment: "mrkcomment-gharial-5173",
  heartbeatEmail: "hbdev.marker@marker-mail.test",
  branch: "PROJ-1-mrkbranch-quokka-3318",
  entity: "/home/hbdev/mrkentity-wombat-8120/main.ts",
  apiBranch: "PROJ-1-mrkapibranch-tapir-4471",
  apiEntity: "/home/hbdev/mrkapientity-dugong-6095/api.ts",
  meetingTitle: "mrkmeeting-axolotl-6604",
  meetingOwnerName: "Pellimore Dransk",
  meetingOwnerEmail: "pellimore.dransk@marker-mail.test",
  attendeeEmail: "quillon.marsh@marker-mail.test",
  urlPassword: "mrkurlpassword-caracal-1188",
  badBody: "mrkbadbody-pangolin-3092",
  validationBody: "mrkvalidation-okapi-7713",
  webhookPusherEmail: "webhook.pusher@marker-mail.test",
  webhookMessage: "mrkwebhook-ibex-2284",
  brokenJson: "mrkbrokenjson-margay-5530",
  brokenGitAuthor: "Ottoline Farquist",
  brokenCalendar: "mrkbrokenics-jerboa-9946",
} as const;

/** Matches any e-mail address, so addresses not planted as markers are caught as well. */
const EMAIL_PATTERN = /[\w.+-]+@[\w-]+\.[\w.-]+/;

interface Leak {
  line: string;
  found: string;
}

/** Returns every log line that contains one of the needles (case-insensitive) or an e-mail address. */
function findLeaks(lines: readonly string[], needles: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const line of lines) {
    const lower = line.toLowerCase();
    for (const needle of needles) {
      if (lower.includes(needle.toLowerCase())) leaks.push({ line, found: needle });
    }
    const email = EMAIL_PATTERN.exec(line);
    if (email !== null) leaks.push({ line, found: email[0] });
  }
  return leaks;
}

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const CLI_MAIN = join(REPOSITORY, "src/cli/main.ts");
const NOW = Date.UTC(2025, 2, 12, 12, 0, 0);

function gitLog(): string {
  const commit = (sha: string, date: string, title: string) => [
    `commit ${sha}`,
    `Author:     ${MARKERS.gitAuthorName} <${MARKERS.gitAuthorEmail}>`,
    `AuthorDate: ${date}`,
    `Commit:     Brannoch Velt <${MARKERS.gitCommitterEmail}>`,
    `CommitDate: ${date}`,
    "",
    `    ${title}`,
    "",
    `    Token left in the message by mistake: ${MARKERS.commitToken}`,
    "",
    `12\t3\t${MARKERS.filePath}`,
    "",
  ];
  return [
    ...commit("a".repeat(40), "2025-03-10T10:15:00+01:00", `PROJ-1 ${MARKERS.commitMessage} first part`),
    ...commit("b".repeat(40), "2025-03-10T11:40:00+01:00", `PROJ-1 ${MARKERS.commitMessage} second part`),
  ].join("\n");
}

function jiraIssues(): string {
  const issue = (id: string, key: string) => ({
    id,
    key,
    fields: {
      summary: `${MARKERS.issueSummary} ${key}`,
      description: `${MARKERS.issueDescription}: ask ${MARKERS.jiraAssigneeEmail}`,
      comment: { comments: [{ id: `${id}1`, body: MARKERS.issueComment, created: "2025-03-01T09:30:00.000+0000", author: { accountId: "acc-marker-2", displayName: MARKERS.jiraAssigneeName, emailAddress: MARKERS.jiraAssigneeEmail } }], total: 1 },
      assignee: { accountId: "acc-marker-1", displayName: MARKERS.jiraAssigneeName, emailAddress: MARKERS.jiraAssigneeEmail },
      created: "2025-03-01T09:00:00.000+0000",
      updated: "2025-03-02T09:00:00.000+0000",
      status: { name: "In Progress" },
      issuetype: { name: "Bug", subtask: false },
      project: { key: "PROJ" },
    },
  });
  return JSON.stringify({ startAt: 0, maxResults: 50, total: 2, issues: [issue("10001", "PROJ-1"), issue("10002", "PROJ-2")] });
}

function heartbeats(startUtc: number, minutes: number, branch: string, entity: string): Record<string, unknown>[] {
  const list = [];
  for (let offset = 0; offset <= minutes; offset += 2) {
    list.push({ time: startUtc / 1000 + offset * 60, entity, type: "file", category: "coding", project: "proj", branch, is_write: true, language: "TypeScript" });
  }
  return list;
}

function calendar(): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//worklens log scan//EN",
    "BEGIN:VEVENT",
    "UID:marker-meeting-1@example.test",
    "DTSTAMP:20250301T000000Z",
    "DTSTART:20250310T140000Z",
    "DTEND:20250310T150000Z",
    `SUMMARY:PROJ-2 ${MARKERS.meetingTitle}`,
    `ORGANIZER;CN=${MARKERS.meetingOwnerName}:mailto:${MARKERS.meetingOwnerEmail}`,
    `ATTENDEE;CN=Quillon Marsh;PARTSTAT=ACCEPTED:mailto:${MARKERS.attendeeEmail}`,
    `LOCATION:https://guest:${MARKERS.urlPassword}@meet.example.test/room`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

interface CliRun {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

describe("log scan", () => {
  let folder: string;
  let storeFile: string;
  let inputs: Record<string, string>;
  const masterKey = randomBytes(32).toString("base64");
  const adminToken = randomBytes(24).toString("hex");
  const webhookSecrets = { github: randomBytes(20).toString("hex"), gitlab: randomBytes(20).toString("hex"), jira: randomBytes(20).toString("hex") };
  const cliRuns: CliRun[] = [];
  const serverLines: string[] = [];
  let apiKey = "";
  let peopleList: CliRun | undefined;
  const requestBodies: string[] = [];
  let auditEntries = "";
  let auditIntact = false;

  function cli(...args: string[]): CliRun {
    const result = spawnSync(process.execPath, ["--import", "tsx", CLI_MAIN, "--store", storeFile, "--no-progress", ...args], {
      // The repository, so that `--import tsx` resolves; the store is named by --store.
      cwd: REPOSITORY,
      encoding: "utf8",
      env: { PATH: process.env["PATH"], HOME: folder, TZ: "UTC", WORKLENS_LOG_LEVEL: "debug", WORKLENS_MASTER_KEY: masterKey },
      timeout: 120_000,
    });
    const run = { args, status: result.status, stdout: result.stdout, stderr: result.stderr };
    cliRuns.push(run);
    return run;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-log-scan-"));
    storeFile = join(folder, "store.sqlite");
    inputs = {
      "git-log.txt": gitLog(),
      "issues.json": jiraIssues(),
      "heartbeats.json": JSON.stringify(heartbeats(Date.UTC(2025, 2, 10, 9), 120, MARKERS.branch, MARKERS.entity)),
      "calendar.ics": calendar(),
      "broken-issues.json": `{"issues": [{"key": "PROJ-9", "fields": {"summary": "${MARKERS.brokenJson}`,
      "broken-git-log.txt": `commit ${"e".repeat(40)}\nAuthor:     ${MARKERS.brokenGitAuthor} <ottoline@marker-mail.test>\nAuthorDate: not a date\n\n    PROJ-1 broken\n`,
      "broken.ics": `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:${MARKERS.brokenCalendar}\r\nDTSTART:garbage\r\n`,
    };
    for (const [name, text] of Object.entries(inputs)) writeFileSync(join(folder, name), text);

    cli("import", "jira", join(folder, "issues.json"));
    cli("import", "git", join(folder, "git-log.txt"), "--repo", "marker-repo");
    cli("import", "wakatime", join(folder, "heartbeats.json"), "--person", `Hb Dev <${MARKERS.heartbeatEmail}>`, "--machine", "laptop");
    cli("import", "ics", join(folder, "calendar.ics"), "--person", `${MARKERS.meetingOwnerName} <${MARKERS.meetingOwnerEmail}>`);
    cli("suggest", "--from", "2025-03-10", "--to", "2025-03-11", "--ai", "off");
    // Input that cannot be imported: its error messages must name the file and the problem, not quote the text.
    cli("import", "jira", join(folder, "broken-issues.json"));
    cli("import", "git", join(folder, "broken-git-log.txt"));
    cli("import", "ics", join(folder, "broken.ics"), "--person", MARKERS.meetingOwnerEmail);
    apiKey = cli("keys", "create", "--person", MARKERS.heartbeatEmail).stdout.trim();
    peopleList = cli("people", "list");

    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        serverLines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
        callback();
      },
    });
    const store = await Store.open({ kind: "sqlite", file: storeFile }, { keys: new EnvKeyProvider({ WORKLENS_MASTER_KEY: masterKey }) });
    const config = loadServerConfig({}, {
      WORKLENS_LOG_LEVEL: "debug",
      WORKLENS_ADMIN_TOKEN: adminToken,
      WORKLENS_GITHUB_WEBHOOK_SECRET: webhookSecrets.github,
      WORKLENS_GITLAB_WEBHOOK_TOKEN: webhookSecrets.gitlab,
      WORKLENS_JIRA_WEBHOOK_SECRET: webhookSecrets.jira,
    });
    const app = await buildApp({ store, config, clock: () => NOW, logStream });
    const send = (options: InjectOptions) => {
      if (typeof options.payload === "string") requestBodies.push(options.payload);
      return app.inject(options);
    };
    try {
      const basic = `Basic ${Buffer.from(apiKey).toString("base64")}`;
      const json = { "content-type": "application/json" };
      const sent = await send({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: { ...json, authorization: basic, "x-machine-name": "laptop" }, payload: JSON.stringify(heartbeats(Date.UTC(2025, 2, 12, 9), 30, MARKERS.apiBranch, MARKERS.apiEntity)) });
      expect(sent.statusCode).toBe(202);
      await send({ method: "GET", url: `/api/v1/users/current/statusbar/today?api_key=${apiKey}` });

      const listed = await send({ method: "GET", url: "/api/worklens/v1/suggestions?from=2025-03-10&to=2025-03-11", headers: { authorization: `Bearer ${apiKey}` } });
      expect(listed.statusCode).toBe(200);
      const first = listed.json<{ data: { id: string }[] }>().data[0];
      expect(first).toBeDefined();
      const accepted = await send({ method: "POST", url: `/api/worklens/v1/suggestions/${first?.id ?? ""}/accept`, headers: { authorization: `Bearer ${apiKey}` } });
      expect(accepted.statusCode).toBe(200);
      expect((await send({ method: "GET", url: "/api/admin/keys", headers: { authorization: `Bearer ${adminToken}` } })).statusCode).toBe(200);

      // Failing requests: a wrong key, a body that is not JSON, a body that fails validation, wrong webhook signatures.
      expect((await send({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: { ...json, authorization: `Bearer ${apiKey.slice(0, -4)}beef` }, payload: "[]" })).statusCode).toBe(401);
      expect((await send({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", headers: { ...json, authorization: basic }, payload: `[{"entity":"/home/${MARKERS.badBody}", "time": ` })).statusCode).toBe(400);
      const invalid = await send({ method: "POST", url: "/api/v1/users/current/heartbeats", headers: { ...json, authorization: basic }, payload: JSON.stringify({ entity: MARKERS.validationBody, time: "not a number", branch: MARKERS.validationBody }) });
      expect(invalid.statusCode).toBe(400);
      const push = JSON.stringify({ ref: "refs/heads/main", pusher: { name: "Webhook Pusher", email: MARKERS.webhookPusherEmail }, commits: [{ id: "c".repeat(40), message: MARKERS.webhookMessage, author: { email: MARKERS.webhookPusherEmail } }] });
      const wrongSignature = `sha256=${createHmac("sha256", "not-the-secret").update(push).digest("hex")}`;
      expect((await send({ method: "POST", url: "/api/webhooks/github", headers: { ...json, "x-github-event": "push", "x-github-delivery": "d-1", "x-hub-signature-256": wrongSignature }, payload: push })).statusCode).toBe(401);
      expect((await send({ method: "POST", url: "/api/webhooks/gitlab", headers: { ...json, "x-gitlab-event": "Push Hook", "x-gitlab-token": "wrong-token-0123456789" }, payload: push })).statusCode).toBe(401);
      expect((await send({ method: "POST", url: "/api/webhooks/jira?secret=wrong-secret-0123456789", headers: json, payload: push })).statusCode).toBe(401);
      auditEntries = JSON.stringify(await store.audit.list({ limit: 10_000 }));
      auditIntact = (await verifyAuditLog(store)).intact;
    } finally {
      await app.close();
      await store.close();
    }
  }, 300_000);

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  function secrets(): string[] {
    const keyFile = `${storeFile}.key`;
    let keyFileText: string[] = [];
    try {
      keyFileText = readFileSync(keyFile, "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    } catch {
      // The store uses WORKLENS_MASTER_KEY, so no key file need exist.
    }
    return [apiKey, Buffer.from(apiKey).toString("base64"), adminToken, webhookSecrets.github, webhookSecrets.gitlab, webhookSecrets.jira, masterKey, ...keyFileText];
  }

  it("runs every command successfully", () => {
    expect(cliRuns.map((run) => [run.args[0], run.args[1], run.status])).toEqual([
      ["import", "jira", 0],
      ["import", "git", 0],
      ["import", "wakatime", 0],
      ["import", "ics", 0],
      ["suggest", "--from", 0],
      ["import", "jira", 3],
      ["import", "git", 3],
      ["import", "ics", 3],
      ["keys", "create", 0],
      ["people", "list", 0],
    ]);
    expect(apiKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("inputs contain every marker", () => {
    const cliInputs = [...Object.values(inputs), ...cliRuns.flatMap((run) => run.args)].join("\n");
    const requestOnly = new Set<string>([MARKERS.apiBranch, MARKERS.apiEntity, MARKERS.badBody, MARKERS.validationBody, MARKERS.webhookPusherEmail, MARKERS.webhookMessage]);
    for (const [name, marker] of Object.entries(MARKERS)) {
      if (!requestOnly.has(marker)) expect(cliInputs.includes(marker), name).toBe(true);
    }
    for (const marker of requestOnly) expect(requestBodies.join("\n").includes(marker), marker).toBe(true);
  });

  it("captures the logs", () => {
    // At debug level the CLI writes little besides its own messages to standard error; the server logs every request.
    expect(cliRuns.find((run) => run.args[0] === "keys")?.stderr).toContain("created key 1 for person");
    expect(serverLines.length).toBeGreaterThan(20);
    expect(serverLines.some((line) => line.includes('"statusCode":401'))).toBe(true);
    expect(serverLines.some((line) => line.includes('"statusCode":400'))).toBe(true);
  });

  it("CLI standard error has no personal data or secrets", () => {
    const lines = cliRuns.flatMap((run) => run.stderr.split("\n"));
    expect(findLeaks(lines, [...Object.values(MARKERS), ...secrets()])).toEqual([]);
  });

  it("CLI import and suggest output has no personal data", () => {
    // `keys create` prints the key and `people list` the names: that output is what the user asked for.
    const lines = cliRuns.filter((run) => run.args[0] === "import" || run.args[0] === "suggest").flatMap((run) => run.stdout.split("\n"));
    expect(findLeaks(lines, [...Object.values(MARKERS), ...secrets()])).toEqual([]);
  });

  it("server log has no personal data or secrets", () => {
    expect(findLeaks(serverLines, [...Object.values(MARKERS), ...secrets()])).toEqual([]);
  });

  it("audit log has no personal data", () => {
    expect(auditEntries).toContain('"action":"login.failed"');
    expect(findLeaks(auditEntries.split("},{"), [...Object.values(MARKERS), ...secrets()])).toEqual([]);
    expect(auditIntact).toBe(true);
  });

  it("default request logging leaks the key", async () => {
    // Control: Fastify's own request serializer logs the query string, ?api_key= included; the server's does not.
    const run = async (options: FastifyServerOptions["logger"]) => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString("utf8"));
          callback();
        },
      });
      const bare = Fastify({ logger: typeof options === "object" ? { ...options, stream } : { level: "info", stream } });
      bare.get("/statusbar", () => ({}));
      await bare.inject({ method: "GET", url: `/statusbar?api_key=${apiKey}` });
      await bare.close();
      return lines;
    };
    expect(findLeaks(await run(true), [apiKey]).map((leak) => leak.found)).toContain(apiKey);
    expect(findLeaks(await run(serverLoggerOptions("debug")), [apiKey])).toEqual([]);
  });

  it("scanner finds a planted marker", () => {
    const planted = [...serverLines];
    planted.splice(3, 0, JSON.stringify({ level: 30, msg: `branch ${MARKERS.branch}` }));
    expect(findLeaks(planted, Object.values(MARKERS))).toEqual([{ line: planted[3], found: MARKERS.branch }]);
    const withKey = [...serverLines, `{"msg":"key ${apiKey}"}`];
    expect(findLeaks(withKey, secrets()).map((leak) => leak.found)).toEqual([apiKey]);
    expect(findLeaks(["contact someone@example.org"], [])).toEqual([{ line: "contact someone@example.org", found: "someone@example.org" }]);
  });

  it("stored data contains the markers", () => {
    expect(peopleList?.stdout).toContain(MARKERS.gitAuthorName);
    expect(peopleList?.stdout.toLowerCase()).toContain(MARKERS.heartbeatEmail);
  });
});
