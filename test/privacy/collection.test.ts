import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import type { ActivityText, IdentityInput } from "../../src/domain/types.js";
import { WorklensError } from "../../src/domain/errors.js";
import { storedColumns } from "../../src/governance/inventory.js";
import { discardLinkedTexts } from "../../src/governance/metadata-only.js";
import { awBucket, awExport } from "../../src/ingest/activitywatch/test-support/fixtures.js";
import { importActivityWatch } from "../../src/ingest/activitywatch/import.js";
import { pullRequestActivity } from "../../src/ingest/code-host/github-pull-request.js";
import { importGit } from "../../src/ingest/git/import.js";
import { createTempRepo, type TempRepo } from "../../src/ingest/git/test-support/temp-repo.js";
import { calendar, vevent } from "../../src/ingest/ics/test-support/calendar.js";
import { importIcs } from "../../src/ingest/ics/import.js";
import { importActivities } from "../../src/ingest/import-activities.js";
import { importJira } from "../../src/ingest/jira/import.js";
import { importWakatime } from "../../src/ingest/wakatime/import.js";
import { INVENTORY } from "../../src/privacy/inventory.js";
import { linkAndSuggest } from "../../src/review/pipeline.js";
import { getCollectionPolicy, setCollectionPolicy } from "../../src/store/privacy-settings.js";
import type { Store } from "../../src/store/store.js";
import { takeActivityDelivery } from "../../src/server/webhook-intake/intake.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";

const reporter = { accountId: "acc-1", displayName: "Dev One", emailAddress: "dev.one@example.com", timeZone: "Europe/Berlin" };

function jiraIssue(id: string, key: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    key,
    fields: {
      summary: `Parser work on ${key}`,
      description: `Description of ${key}`,
      created: "2025-03-01T09:00:00.000+0100",
      updated: "2025-03-02T09:00:00.000+0100",
      status: { name: "Open" },
      reporter,
      ...fields,
    },
  };
}

async function activityTexts(store: Store): Promise<ActivityText[]> {
  const activities = await store.activities.list();
  const texts = await store.activities.texts(activities.map((a) => a.id));
  return activities.map((a) => ({ ...texts.get(a.id) }));
}

/** Drops the undefined and null fields of stored texts, so the comparison names only stored values. */
function storedFields(text: ActivityText | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(text ?? {}).filter(([, value]) => typeof value === "string"));
}

describe.each(BACKENDS)("collection policy on %s", (backend) => {
  let handle: TestStore;
  let folder: string;
  let repos: TempRepo[];

  const write = (name: string, content: string | Buffer): string => {
    const file = join(folder, name);
    writeFileSync(file, content);
    return file;
  };

  function repository(name: string): TempRepo {
    const repo = createTempRepo(name);
    repos.push(repo);
    repo.commit({ message: "PROJ-1 parse headers\n\nSecret plan in the body.", files: { "src/parser.ts": "x\n" }, authorDate: "2025-03-03T09:00:00+01:00" });
    repo.git(["checkout", "--quiet", "-b", "feature/PROJ-2-export"]);
    repo.commit({ message: "Export rows", files: { "src/export.ts": "y\n" }, authorDate: "2025-03-04T10:00:00+01:00" });
    repo.git(["checkout", "--quiet", "main"]);
    return repo;
  }

  beforeEach(async () => {
    handle = await openTestStore(backend);
    folder = mkdtempSync(join(tmpdir(), "worklens-collection-"));
    repos = [];
  });

  afterEach(async () => {
    for (const repo of repos) repo.dispose();
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("default policy keeps git text", async () => {
    await importGit(handle.store, repository("shop").path);

    const texts = (await activityTexts(handle.store)).map(storedFields);
    expect(texts).toEqual([
      { title: "PROJ-1 parse headers", body: "Secret plan in the body.", paths: "src/parser.ts" },
      { title: "Export rows", branch: "feature/PROJ-2-export", paths: "src/export.ts" },
    ]);
    const metrics = (await handle.store.activities.list()).map((a) => a.metrics);
    expect(metrics[0]).toEqual({ linesAdded: 1, linesDeleted: 0, filesChanged: 1 });
  });

  it("git policy drops message, branch, paths", async () => {
    await setCollectionPolicy(handle.store, { git: { message: false, branch: false, paths: false, lineCounts: false } }, { actor: "cli" });
    await importGit(handle.store, repository("shop").path);

    const activities = await handle.store.activities.list();
    expect((await activityTexts(handle.store)).map(storedFields)).toEqual([{}, {}]);
    // Keys were taken from the message and the branch before the text was dropped.
    expect(activities.map((a) => a.explicitKeys)).toEqual([["PROJ-1"], ["PROJ-2"]]);
    expect(activities.map((a) => a.metrics)).toEqual([{ filesChanged: 1 }, { filesChanged: 1 }]);
    expect(activities.map((a) => a.repo)).toEqual(["shop", "shop"]);
  });

  it("links by key after fields are dropped", async () => {
    await setCollectionPolicy(handle.store, { git: { message: false, branch: false, paths: false } }, { actor: "cli" });
    await importJira(handle.store, write("issues.json", JSON.stringify({ issues: [jiraIssue("1", "PROJ-1"), jiraIssue("2", "PROJ-2")] })));
    await importGit(handle.store, repository("shop").path);

    await linkAndSuggest(handle.store, { ai: "off" });

    const issues = new Map((await handle.store.issues.list()).map((i) => [i.id, i.key]));
    const commits = await handle.store.activities.list({ source: "git" });
    const links = (await handle.store.results.links()).filter((l) => commits.some((c) => c.id === l.activityId));
    expect(links.map((l) => [issues.get(l.issueId), l.method]).sort()).toEqual([
      ["PROJ-1", "explicit"],
      ["PROJ-2", "explicit"],
    ]);
  });

  it("repository allowlist skips and counts", async () => {
    await setCollectionPolicy(handle.store, { repositories: ["sh*", "platform/**"] }, { actor: "cli" });

    const allowed = await importGit(handle.store, repository("shop").path);
    const other = await importGit(handle.store, repository("tools").path);
    const nested = await importGit(handle.store, repos[0]?.path ?? "", { repo: "platform/core/api" });

    expect(allowed).toMatchObject({ imported: 2, duplicate: 0, skipped: [] });
    expect(other.imported).toBe(0);
    expect(other.skipped).toHaveLength(2);
    expect(other.skipped[0]?.reason).toBe('repository "tools" is not in the repository allowlist');
    expect(other.skipped[0]?.record).toMatch(/^commit [0-9a-f]{12}$/);
    // Same commits under an allowed name: duplicates of the stored ones, not skipped.
    expect(nested).toMatchObject({ imported: 0, duplicate: 2, skipped: [] });
    expect((await handle.store.activities.list()).map((a) => a.repo)).toEqual(["shop", "shop"]);
  });

  it("repository allowlist skips a log file without --repo", async () => {
    await setCollectionPolicy(handle.store, { repositories: ["shop"] }, { actor: "cli" });
    const repo = repository("shop");
    const log = write("git-log.txt", repo.git(["log", "--all", "--date-order", "--format=fuller", "--date=iso-strict", "--numstat"]));

    const report = await importGit(handle.store, log);

    expect(report.imported).toBe(0);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      "the repository is not known and the repository allowlist is set; import with a repository name (--repo)",
      "the repository is not known and the repository allowlist is set; import with a repository name (--repo)",
    ]);
    expect((await importGit(handle.store, log, { repo: "shop" })).imported).toBe(2);
  });

  it("jira policy drops description and comments", async () => {
    await setCollectionPolicy(handle.store, { jira: { description: false, comments: false, worklogComments: false } }, { actor: "cli" });
    const issue = jiraIssue("10001", "PROJ-1", {
      comment: { comments: [{ id: "5", author: reporter, created: "2025-03-03T09:30:00.000+0100", body: "private remark" }], total: 1 },
      worklog: { worklogs: [{ id: "77", author: reporter, started: "2025-03-03T10:00:00.000+0100", timeSpentSeconds: 1800, comment: "worklog note" }], total: 1 },
    });

    await importJira(handle.store, write("issue.json", JSON.stringify(issue)));

    const [stored] = await handle.store.issues.list();
    const texts = await handle.store.issues.texts();
    expect(texts.get(stored?.id ?? -1)).toEqual({ summary: "Parser work on PROJ-1", description: "", comments: "" });
    const eventTexts = await handle.store.db.selectFrom("issue_event_texts").select("event_id").execute();
    expect(eventTexts).toEqual([]);
    expect((await handle.store.issues.events()).map((e) => e.kind)).toEqual(["create", "comment"]);
    const worklogs = await handle.store.issues.worklogs();
    expect(worklogs.map((w) => [w.seconds, w.comment])).toEqual([[1800, null]]);
  });

  it("jira default keeps comments (control)", async () => {
    const issue = jiraIssue("10001", "PROJ-1", {
      comment: { comments: [{ id: "5", author: reporter, created: "2025-03-03T09:30:00.000+0100", body: "private remark" }], total: 1 },
    });

    await importJira(handle.store, write("issue.json", JSON.stringify(issue)));

    const [stored] = await handle.store.issues.list();
    const text = (await handle.store.issues.texts()).get(stored?.id ?? -1);
    expect(text?.description).toBe("Description of PROJ-1");
    expect(text?.comments).toContain("private remark");
    expect(await handle.store.db.selectFrom("issue_event_texts").select("event_id").execute()).toHaveLength(1);
  });

  it("calendar title reduced to issue keys", async () => {
    await setCollectionPolicy(handle.store, { calendar: { title: "issue-keys", description: false } }, { actor: "cli" });
    const person: IdentityInput = { source: "ics", externalId: "dev@example.com", email: "dev@example.com" };
    const ics = calendar([
      vevent("UID:a", "DTSTART:20250303T090000Z", "DTEND:20250303T100000Z", "SUMMARY:Review PROJ-7 with Alice Example", "DESCRIPTION:Dial-in 555 0100"),
      vevent("UID:b", "DTSTART:20250304T090000Z", "DTEND:20250304T100000Z", "SUMMARY:1:1 with Bob Example"),
    ]);

    await importIcs(handle.store, write("cal.ics", ics), { person, from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 2, 31) });

    const activities = await handle.store.activities.list();
    expect((await activityTexts(handle.store)).map(storedFields)).toEqual([{ title: "PROJ-7" }, {}]);
    expect(activities.map((a) => a.explicitKeys)).toEqual([["PROJ-7"], []]);
  });

  it("ide policy drops paths, keeps project", async () => {
    await setCollectionPolicy(handle.store, { ide: { paths: false, branch: false } }, { actor: "cli" });
    const person: IdentityInput = { source: "wakatime", externalId: "dev@example.com", email: "dev@example.com" };
    const beats = [
      { entity: "/home/dev/shop/src/parser.ts", type: "file", time: 1741000000, project: "shop", branch: "PROJ-42-fix", language: "TypeScript" },
      { entity: "docs.example.com", type: "domain", time: 1741000100, project: "shop" },
    ];

    await importWakatime(handle.store, write("beats.json", JSON.stringify(beats)), { person, machine: "laptop" });

    const activities = await handle.store.activities.list();
    expect((await activityTexts(handle.store)).map(storedFields)).toEqual([{}, { title: "docs.example.com" }]);
    expect(activities.map((a) => [a.project, a.machine, a.explicitKeys])).toEqual([
      ["shop", "laptop", ["PROJ-42"]],
      ["shop", "laptop", []],
    ]);
  });

  it("activitywatch policy drops window titles", async () => {
    await setCollectionPolicy(handle.store, { activitywatch: { title: false } }, { actor: "cli" });
    const person: IdentityInput = { source: "activitywatch", externalId: "dev@example.com", email: "dev@example.com" };
    const exported = awExport(
      awBucket("aw-watcher-window_laptop", "currentwindow", "laptop", [{ timestamp: "2025-03-10T09:00:00+00:00", duration: 900, data: { app: "Code", title: "PROJ-9 notes.md - secret-project" } }]),
      awBucket("aw-watcher-afk_laptop", "afkstatus", "laptop", [{ timestamp: "2025-03-10T08:00:00+00:00", duration: 7200, data: { status: "not-afk" } }]),
    );

    await importActivityWatch(handle.store, write("aw.json", JSON.stringify(exported)), { person });

    const activities = await handle.store.activities.list();
    expect((await activityTexts(handle.store)).map(storedFields)).toEqual([{}]);
    expect(activities.map((a) => a.explicitKeys)).toEqual([["PROJ-9"]]);
  });

  it("github policy drops titles, keeps keys", async () => {
    await setCollectionPolicy(handle.store, { github: { title: false }, repositories: ["acme/*"] }, { actor: "cli" });
    const actor: IdentityInput = { source: "git", externalId: "github:dev" };
    const pull = (repo: string, number: number) =>
      pullRequestActivity({ sourceUid: `github:pull_request:${repo}#${String(number)}:opened:1741000000000`, actor, instant: 1741000000000, offsetMinutes: 0, repo, pr: { number, title: `PROJ-5 faster parser ${String(number)}`, head: { ref: "feature/PROJ-6" } } });

    const report = await importActivities(handle.store, { records: [pull("acme/shop", 1), pull("other/shop", 2)], skipped: [], warnings: [] }, { source: "github", file: "test" });

    expect(report.imported).toBe(1);
    expect(report.skipped).toEqual([{ record: "github:pull_request:other/shop#2:opened:1741000000000", reason: 'repository "other/shop" is not in the repository allowlist' }]);
    expect((await activityTexts(handle.store)).map(storedFields)).toEqual([{ branch: "feature/PROJ-6" }]);
    expect((await handle.store.activities.list()).map((a) => a.explicitKeys)).toEqual([["PROJ-5", "PROJ-6"]]);
  });

  it("webhook delivery skips other repositories", async () => {
    await setCollectionPolicy(handle.store, { repositories: ["acme/*"] }, { actor: "cli" });
    const actor: IdentityInput = { source: "git", externalId: "github:dev" };
    const pull = (repo: string) => pullRequestActivity({ sourceUid: `github:pull_request:${repo}#1:opened:1741000000000`, actor, instant: 1741000000000, offsetMinutes: 0, repo, pr: { number: 1, title: "PROJ-5 parser", head: { ref: "main" } } });

    const outcome = await takeActivityDelivery(handle.store, "github", { status: "accepted", event: "pull_request", deliveryId: "d-1", records: [pull("acme/shop"), pull("other/shop")], skipped: [], warnings: [] }, 1741000000000);

    expect(outcome).toMatchObject({ status: "accepted", counts: { activities: 2, imported: 1, duplicate: 0 } });
    expect(outcome.status === "accepted" ? outcome.skipped : []).toEqual([{ record: "github:pull_request:other/shop#1:opened:1741000000000", reason: 'repository "other/shop" is not in the repository allowlist' }]);
    expect((await handle.store.activities.list()).map((a) => a.repo)).toEqual(["acme/shop"]);
  });

  it("metadata-only keeps links and suggestions", async () => {
    await importJira(handle.store, write("issues.json", JSON.stringify({ issues: [jiraIssue("1", "PROJ-1"), jiraIssue("2", "PROJ-2")] })));
    await importGit(handle.store, repository("shop").path);
    const unlinked = createTempRepo("notes");
    repos.push(unlinked);
    unlinked.commit({ message: "Tidy up", files: { "a.txt": "a\n" }, authorDate: "2025-03-05T09:00:00+01:00" });
    await importGit(handle.store, unlinked.path);
    await linkAndSuggest(handle.store, { ai: "off" });
    const linksBefore = await handle.store.results.links();
    const suggestionsBefore = await handle.store.results.suggestions();

    // Off by default: nothing is discarded.
    expect(await discardLinkedTexts(handle.store)).toEqual({ enabled: false, discarded: 0 });
    await setCollectionPolicy(handle.store, { metadataOnly: true }, { actor: "cli" });
    const report = await discardLinkedTexts(handle.store);

    const linkedIds = new Set(linksBefore.map((l) => l.activityId));
    const activities = await handle.store.activities.list();
    const texts = await handle.store.activities.texts(activities.map((a) => a.id));
    expect(report).toEqual({ enabled: true, discarded: linkedIds.size });
    expect(linkedIds.size).toBe(4);
    expect(activities.filter((a) => linkedIds.has(a.id)).map((a) => texts.get(a.id))).toEqual([undefined, undefined, undefined, undefined]);
    expect(activities.filter((a) => !linkedIds.has(a.id)).map((a) => storedFields(texts.get(a.id)))).toEqual([{ title: "Tidy up", paths: "a.txt" }]);
    expect(await handle.store.results.links()).toEqual(linksBefore);
    expect(await handle.store.results.suggestions()).toEqual(suggestionsBefore);
    const commits = activities.filter((a) => a.source === "git" && linkedIds.has(a.id));
    expect(commits.map((a) => [a.explicitKeys, a.metrics])).toEqual([
      [["PROJ-1"], { linesAdded: 1, linesDeleted: 0, filesChanged: 1 }],
      [["PROJ-2"], { linesAdded: 1, linesDeleted: 0, filesChanged: 1 }],
    ]);

    // A later run links and suggests the same from the keys and metadata that stayed.
    await linkAndSuggest(handle.store, { ai: "off" });
    expect(await handle.store.results.links()).toEqual(linksBefore);
    expect((await handle.store.results.suggestions()).map((s) => [s.personId, s.day, s.issueId, s.seconds])).toEqual(suggestionsBefore.map((s) => [s.personId, s.day, s.issueId, s.seconds]));
  });

  it("pipeline discards linked texts in metadata-only mode", async () => {
    await importJira(handle.store, write("issues.json", JSON.stringify({ issues: [jiraIssue("1", "PROJ-1"), jiraIssue("2", "PROJ-2")] })));
    await importGit(handle.store, repository("shop").path);
    await setCollectionPolicy(handle.store, { metadataOnly: true }, { actor: "cli" });

    const result = await linkAndSuggest(handle.store, { ai: "off" });

    const linkedIds = new Set((await handle.store.results.links()).map((l) => l.activityId));
    const texts = await handle.store.activities.texts([...linkedIds]);
    expect(result.metadataOnly).toEqual({ enabled: true, discarded: linkedIds.size });
    expect(linkedIds.size).toBeGreaterThan(0);
    expect(texts.size).toBe(0);
    expect((await handle.store.results.suggestions()).length).toBeGreaterThan(0);
  });

  it("policy change is audited without values", async () => {
    await setCollectionPolicy(handle.store, { repositories: ["secret-project"], git: { paths: false } }, { actor: "person:3", at: 1_700_000_000_000 });

    const entries = await handle.store.audit.list();
    expect(entries.map((e) => [e.at, e.actor, e.action, e.subject, e.details])).toEqual([
      [1_700_000_000_000, "person:3", "settings.change", null, { setting: "privacy.collection", changed: ["git.paths", "repositories"] }],
    ]);
    expect(JSON.stringify(entries)).not.toContain("secret-project");
    expect((await getCollectionPolicy(handle.store)).repositories).toEqual(["secret-project"]);
  });

  it("invalid policy is rejected, stored one kept", async () => {
    await setCollectionPolicy(handle.store, { git: { paths: false } }, { actor: "cli" });

    const failure = await setCollectionPolicy(handle.store, { git: { path: false }, calendar: { title: "short" } }, { actor: "cli" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorklensError);
    expect((failure as WorklensError).code).toBe("INVALID_INPUT");
    expect((failure as WorklensError).message).toContain("git: Unrecognized key");
    expect((failure as WorklensError).message).toContain("calendar.title: Invalid option");
    expect((await getCollectionPolicy(handle.store)).git.paths).toBe(false);
  });

  it("corrupted stored policy is a store error", async () => {
    await handle.store.settings.set("privacy.collection", JSON.stringify({ metadataOnly: "yes" }));

    const failure = await getCollectionPolicy(handle.store).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorklensError);
    expect((failure as WorklensError).message).toBe("setting privacy.collection is invalid: metadataOnly: Invalid input: expected boolean, received string");
  });

  it("inventory covers every stored column", async () => {
    const live = await storedColumns(handle.store);
    const declared = new Map(INVENTORY.map((t) => [t.table, new Set(t.columns.map((c) => c.name))]));

    const missing = [...live].flatMap(([table, columns]) => [...columns].filter((c) => declared.get(table)?.has(c) !== true).map((c) => `${table}.${c}`));
    const stale = [...declared].flatMap(([table, columns]) => [...columns].filter((c) => live.get(table)?.has(c) !== true).map((c) => `${table}.${c}`));
    expect(missing).toEqual([]);
    expect(stale).toEqual([]);
    expect(live.size).toBeGreaterThanOrEqual(30);
  });

  it("inventory check sees a new column (control)", async () => {
    await sql`alter table activities add column mood text`.execute(handle.store.db);
    await sql`create table side_notes (id integer primary key, note text)`.execute(handle.store.db);

    const live = await storedColumns(handle.store);
    const declared = new Set(INVENTORY.flatMap((t) => t.columns.map((c) => `${t.table}.${c.name}`)));
    const missing = [...live].flatMap(([table, columns]) => [...columns].map((c) => `${table}.${c}`)).filter((name) => !declared.has(name));

    expect(missing.sort()).toEqual(["activities.mood", "side_notes.id", "side_notes.note"]);
    await sql`drop table side_notes`.execute(handle.store.db);
  });
});

describe("privacy CLI", () => {
  let folder: string;
  let storeFile: string;

  async function worklens(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runCli({
      argv: ["--store", storeFile, ...args],
      env: { ...process.env, WORKLENS_STORE: "", WORKLENS_LOG_LEVEL: "silent" },
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTty: false,
    });
    return { code, out, err };
  }

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-privacy-cli-"));
    storeFile = join(folder, "store.sqlite");
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("collection set and show", async () => {
    const set = await worklens(["privacy", "collection", "set", "calendar.title", "issue-keys"]);
    const repositories = await worklens(["privacy", "collection", "set", "repositories", "acme/*, shop"]);
    const shown = await worklens(["privacy", "collection", "show", "--json"]);

    expect([set.code, set.err]).toEqual([0, ""]);
    expect(set.out).toMatch(/^set calendar.title; the policy applies to records imported from now on\n/);
    expect(set.out).toMatch(/calendar\.title\s+"issue-keys"/);
    expect(repositories.code).toBe(0);
    const policy = JSON.parse(shown.out) as { calendar: { title: string }; repositories: string[]; git: { paths: boolean } };
    expect(policy.calendar.title).toBe("issue-keys");
    expect(policy.repositories).toEqual(["acme/*", "shop"]);
    expect(policy.git.paths).toBe(true);
  });

  it("collection set rejects unknown field", async () => {
    const run = await worklens(["privacy", "collection", "set", "git.files", "false"]);

    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error: unknown collection policy field "git.files"\nhint: use one of: jira.summary, /);
  });

  it("collection set rejects a bad value", async () => {
    const run = await worklens(["privacy", "collection", "set", "git.paths", "no"]);

    expect(run.code).toBe(2);
    expect(run.err).toBe('error: invalid value "no" for git.paths: expected true or false\nhint: run: worklens privacy collection set git.paths false\n');
  });

  it("inventory reflects the policy", async () => {
    await worklens(["privacy", "collection", "set", "git.paths", "false"]);
    await worklens(["privacy", "collection", "set", "metadataOnly", "true"]);

    const run = await worklens(["privacy", "inventory", "--json"]);
    const table = await worklens(["privacy", "inventory"]);

    expect(run.code).toBe(0);
    const rows = JSON.parse(run.out) as { source: string; table: string; column: string; collected: string; encrypted: boolean; personal: boolean; retention: number | string }[];
    const find = (source: string, table: string, column: string) => rows.find((r) => r.source === source && r.table === table && r.column === column);
    expect(find("git", "activity_texts", "paths")).toMatchObject({ collected: "no", encrypted: true, personal: true, retention: 400 });
    expect(find("git", "activity_texts", "title")).toMatchObject({ collected: "until linked" });
    expect(find("calendar", "activity_texts", "title")).toMatchObject({ collected: "until linked" });
    expect(find("all", "persons", "id")).toMatchObject({ collected: "yes", encrypted: false, personal: false, retention: "keep" });
    expect(table.out.split("\n")[0]).toMatch(/^source\s+table\s+column\s+personal\s+protection\s+collected\s+retention$/);
    expect(table.out).toMatch(/git\s+activity_texts\s+paths\s+yes\s+encrypted\s+no\s+raw_events: 400 days/);
  });

  it("discard-linked-texts needs metadata-only", async () => {
    await worklens(["privacy", "inventory"]);

    const run = await worklens(["privacy", "collection", "discard-linked-texts"]);

    expect(run.code).toBe(7);
    expect(run.err).toBe("error: metadata-only mode is off, so no text was deleted\nhint: turn it on with: worklens privacy collection set metadataOnly true\n");
  });
});
