import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importGit } from "../../src/ingest/git/import.js";
import { importJira } from "../../src/ingest/jira/import.js";
import { Linker, type LinkingInput } from "../../src/linking/linker.js";
import { tenantEmbedder } from "../../src/linking/model-choice.js";
import { runLinking } from "../../src/linking/run-linking.js";
import { DEFAULT_RANKER_TRAINING, trainRanker } from "../../src/linking/train-ranker.js";
import { observeTokens, tokenize } from "../../src/linking/tokens.js";
import { loadXGBoost } from "../../src/ml/index.js";
import type { Store } from "../../src/store/store.js";
import { BACKENDS, openTestStore, type TestStore } from "../../src/store/test-support/backends.js";
import { linkingTrainer } from "../../src/training/linking-trainer.js";
import { runModelTraining } from "../../src/training/schedule.js";

/** A piece of personal data or a secret written into the texts, and the parts of it that must never reach a feature. */
interface Pii {
  label: string;
  text: string;
  needles: string[];
}

const PEOPLE = {
  zephyrine: { name: "Zephyrine Quillfeather", email: "zephyrine.quillfeather@corp.example.com" },
  bartholomew: { name: "Bartholomew Ostrander", email: "b.ostrander@corp.example.com" },
};

const PII: Pii[] = [
  { label: "e-mail", text: "kestrelwatch.oncall@pager.example.net", needles: ["kestrelwatch"] },
  { label: "author e-mail", text: PEOPLE.zephyrine.email, needles: [PEOPLE.zephyrine.email] },
  { label: "full name", text: PEOPLE.zephyrine.name, needles: ["zephyrine", "quillfeather"] },
  { label: "surname alone", text: "Ostrander", needles: ["ostrander"] },
  { label: "first name possessive", text: "Bartholomew's", needles: ["bartholomew"] },
  { label: "Jira reporter", text: "Ingrid Vasquez-Thornbury", needles: ["ingrid", "vasquez", "thornbury"] },
  { label: "Jira user name", text: "ivthornbury", needles: ["ivthornbury"] },
  { label: "international phone", text: "+44 20 7946 0958", needles: ["+44 20 7946 0958", "7946 0958"] },
  { label: "North American phone", text: "(555) 867-5309", needles: ["867-5309"] },
  { label: "national phone", text: "0171-2345678", needles: ["0171-2345678"] },
  { label: "URL credentials", text: "https://builder:Tr0ub4dor3x@ci.example.com/job/7", needles: ["Tr0ub4dor3x"] },
  { label: "query token", text: "https://cdn.example.com/a.png?token=Qm9yZWFsS2VzdHJlbDQy&x=1", needles: ["Qm9yZWFsS2VzdHJlbDQy"] },
  { label: "query signature", text: "https://files.example.com/get?id=3&sig=Zx9Lw2Qp7Rt4Yv1B", needles: ["Zx9Lw2Qp7Rt4Yv1B"] },
  { label: "query access token", text: "https://api.example.com/v1?access_token=vq83kZp0LwMx", needles: ["vq83kZp0LwMx"] },
  { label: "JWT", text: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJxdWlsbGZlYXRoZXIifQ.Sfl5xKx9PqT2n8r4Wm3Zc7Vb0Ld6Jh1Gy", needles: ["eyJzdWIiOiJxdWlsbGZlYXRoZXIifQ", "Sfl5xKx9PqT2n8r4Wm3Zc7Vb0Ld6Jh1Gy"] },
  { label: "GitHub personal token", text: "ghp_R7t2Kq9Lm4Xw8Zp3Vn6Bc1Jd5Hf0Gq2Ty7Ua", needles: ["R7t2Kq9Lm4Xw8Zp3Vn6Bc1Jd5Hf0Gq2Ty7Ua"] },
  { label: "GitHub OAuth token", text: "gho_W3e5R7t9Y1u3I5o7P9a1S3d5F7g9H1j3K5l7", needles: ["W3e5R7t9Y1u3I5o7P9a1S3d5F7g9H1j3K5l7"] },
  { label: "GitHub app token", text: "ghs_Z1x2C3v4B5n6M7q8W9e0R1t2Y3u4I5o6P7a8", needles: ["Z1x2C3v4B5n6M7q8W9e0R1t2Y3u4I5o6P7a8"] },
  { label: "GitHub fine-grained token", text: "github_pat_11AQWZ0Y0abcXyz9876_Lm2Np4Qr6St8Uv0Wx2Yz4Ab6Cd8Ef0Gh2Ij4Kl6Mn8Op", needles: ["Lm2Np4Qr6St8Uv0Wx2Yz4Ab6Cd8Ef0Gh2Ij4Kl6Mn8Op"] },
  { label: "GitLab token", text: "glpat-Hq7Jk2Lm9Np4Rs6Tv8W", needles: ["Hq7Jk2Lm9Np4Rs6Tv8W"] },
  { label: "Slack token", text: "xoxb-2417905836-Rg4Th6Yj8Uk0Il2Op", needles: ["Rg4Th6Yj8Uk0Il2Op"] },
  { label: "AWS access key id", text: "AKIAZ7Q3W5E7R9T1Y3U5", needles: ["AKIAZ7Q3W5E7R9T1Y3U5"] },
  { label: "Google API key", text: "AIzaSyD4f6G8h0J2k4L6z8X0c2V4b6N8m0Q2w4E", needles: ["SyD4f6G8h0J2k4L6z8X0c2V4b6N8m0Q2w4E"] },
  { label: "private key", text: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", needles: ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"] },
  { label: "password assignment", text: "db_password=Quokka!Lantern42", needles: ["Quokka!Lantern42", "quokka"] },
  { label: "secret assignment", text: "secret: Marmoset-Vellum-88", needles: ["Marmoset-Vellum-88", "marmoset"] },
  { label: "random secret", text: "blob q8Xz3LmN0pR7vK2wT9yB4cF6hJ1dG5sA", needles: ["q8Xz3LmN0pR7vK2wT9yB4cF6hJ1dG5sA"] },
];

const TOPICS = [
  ["fetcher", "politeness", "crawl", "delay", "robots"],
  ["parser", "charset", "encoding", "html", "detection"],
  ["indexer", "solr", "schema", "mapping", "field"],
  ["scheduler", "interval", "refetch", "adaptive", "backoff"],
  ["plugin", "loader", "classpath", "extension", "registry"],
  ["dedup", "signature", "duplicate", "hashing", "collapse"],
  ["linkdb", "anchor", "inlink", "invert", "outlink"],
  ["segment", "merger", "slicing", "reader", "dump"],
];

const START = Date.UTC(2025, 0, 10, 9);
/** Training runs on this day: the gate holds out the 14 days before and trains on the 60 before those. */
const TODAY = "2025-03-31";

function pii(index: number): string {
  return PII[index % PII.length]?.text ?? "";
}

/** Builds a Jira v2 search response whose descriptions and comments carry every kind of personal data and secret. */
function jiraFile(): string {
  const issues = TOPICS.map((words, i) => ({
    id: String(1000 + i),
    key: `DEMO-${String(i + 1)}`,
    fields: {
      summary: `${words[0] ?? ""} ${words[1] ?? ""} ${words[2] ?? ""} problem`,
      description: `The ${words.join(" ")} code fails. Reported by Ingrid Vasquez-Thornbury, contact ${pii(i)} or ${pii(i + 8)}. ${pii(i + 16)}`,
      status: { name: "In Progress" },
      priority: { name: "Major" },
      project: { key: "DEMO", name: "Demo" },
      reporter: { name: "ivthornbury", key: "ivthornbury", displayName: "Ingrid Vasquez-Thornbury", emailAddress: "ingrid.vt@corp.example.com" },
      assignee: { name: "zquill", key: "zquill", displayName: PEOPLE.zephyrine.name, emailAddress: PEOPLE.zephyrine.email },
      created: "2025-01-01T08:00:00.000+0000",
      updated: "2025-03-31T08:00:00.000+0000",
      comment: { comments: [{ body: `ping ivthornbury: ${words[3] ?? ""} ${words[4] ?? ""} still broken, ${pii(i + 3)} ${pii(i + 11)} ${pii(i + 19)}` }], total: 1 },
    },
  }));
  return JSON.stringify({ startAt: 0, maxResults: issues.length, total: issues.length, issues });
}

/** Builds a `git log --numstat` file of keyed commits (the training labels) and unkeyed ones (ranked), every one carrying personal data. */
function gitLog(): string {
  const commits: string[] = [];
  for (let n = 0; n < 96; n++) {
    const topic = n % TOPICS.length;
    const words = TOPICS[topic] ?? [];
    const person = n % 2 === 0 ? PEOPLE.zephyrine : PEOPLE.bartholomew;
    const at = new Date(START + n * 18 * 3_600_000).toISOString().replace(".000Z", "+00:00");
    const keyed = n % 6 !== 5;
    const title = `${keyed ? `DEMO-${String(topic + 1)} ` : ""}Improve ${words[n % 5] ?? ""} ${words[(n + 2) % 5] ?? ""} handling`;
    const body = [
      `Thanks Ostrander and Bartholomew's review; see ${pii(n)} and ${pii(n + 5)}.`,
      `Call ${pii(n + 9)} if ${words[(n + 1) % 5] ?? ""} breaks again: ${pii(n + 13)}`,
      `Signed-off-by: ${PEOPLE.zephyrine.name} <${PEOPLE.zephyrine.email}>`,
    ];
    commits.push(
      [
        `commit ${(n + 1).toString(16).padStart(40, "a")}`,
        `Author:     ${person.name} <${person.email}>`,
        `AuthorDate: ${at}`,
        `Commit:     ${person.name} <${person.email}>`,
        `CommitDate: ${at}`,
        "",
        `    ${title}`,
        "    ",
        ...body.map((line) => `    ${line}`),
        "",
        `3\t1\tsrc/main/${words[0] ?? "x"}/${words[1] ?? "y"}Handler.java`,
        `1\t1\t/home/bostrander/notes/${words[2] ?? "z"}.txt`,
        "",
      ].join("\n"),
    );
  }
  return commits.join("\n");
}

/** Everything the feature code saw, and everything worklens wrote, during one run. */
class Capture {
  readonly texts: string[] = [];
  readonly tokens = new Set<string>();
  readonly logLines: string[] = [];
  readonly stored: string[] = [];

  start(): void {
    observeTokens((text, tokens) => {
      this.texts.push(text);
      for (const token of tokens) this.tokens.add(token);
    });
  }

  stop(): void {
    observeTokens(undefined);
  }

  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.logLines.push(chunk.toString("utf8"));
        done();
      },
    });
  }

  /** Lists where a needle shows up: in a text the tokenizer read, a token, a log line or a stored artifact. */
  findings(needle: string): string[] {
    const lower = needle.toLowerCase();
    const found: string[] = [];
    if (this.texts.some((t) => t.includes(needle) || t.toLowerCase().includes(lower))) found.push("tokenized text");
    const fragments = tokenize(needle).filter((f) => f.length >= 3);
    if (fragments.length > 0 && fragments.every((f) => this.tokens.has(f))) found.push("tokens");
    if (this.logLines.some((l) => l.toLowerCase().includes(lower))) found.push("log");
    if (this.stored.some((s) => s.toLowerCase().includes(lower))) found.push("stored artifact or evidence");
    return found;
  }
}

async function storedOutputs(store: Store): Promise<string[]> {
  const outputs: string[] = [];
  for (const summary of await store.models.list("linking")) {
    const model = await store.models.get(summary.id);
    if (model !== undefined) outputs.push(JSON.stringify(model.artifact));
  }
  for (const link of await store.results.links()) outputs.push(JSON.stringify(link.evidence));
  return outputs;
}

describe.each(BACKENDS)("personal data and features in %s", (backend) => {
  let handle: TestStore;
  let store: Store;
  let folder: string;

  beforeAll(async () => {
    handle = await openTestStore(backend);
    store = handle.store;
    folder = mkdtempSync(join(tmpdir(), "worklens-pii-"));
    writeFileSync(join(folder, "issues.json"), jiraFile());
    writeFileSync(join(folder, "git-log.txt"), gitLog());
    await importJira(store, join(folder, "issues.json"));
    await importGit(store, join(folder, "git-log.txt"));
  });
  afterAll(async () => {
    observeTokens(undefined);
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("keeps PII out of features, logs and models", async () => {
    const capture = new Capture();
    const logger = pino({ level: "trace" }, capture.logStream());
    capture.start();
    try {
      const rules = await runLinking(store, { ranker: "rules" });
      const learned = await runLinking(store);
      expect(rules.activities).toBe(96 + TOPICS.length);
      expect(learned.activities).toBe(96 + TOPICS.length);
      const run = await runModelTraining(store, {
        trainers: [linkingTrainer],
        loadBackend: () => loadXGBoost(),
        logger,
        today: TODAY,
        gate: { holdoutDays: 14, trainingDays: 60, minHoldout: 5 },
        clock: () => Date.UTC(2025, 2, 31, 3),
      });
      expect(run.kinds[0]?.error).toBeUndefined();
      expect(run.kinds[0]?.gate?.candidate).not.toBeNull();
    } finally {
      capture.stop();
    }
    capture.stored.push(...(await storedOutputs(store)));

    // The capture itself works: it saw the texts, tokens, log lines and stored outputs.
    expect(capture.tokens.has("charset")).toBe(true);
    expect(capture.logLines.some((l) => l.includes("linking model training"))).toBe(true);
    expect(capture.stored.length).toBeGreaterThan(1);
    for (const item of PII) {
      for (const needle of item.needles) expect(capture.findings(needle), `${item.label}: ${needle}`).toEqual([]);
    }
  });

  it("control: unscrubbed texts reach the features", async () => {
    const capture = new Capture();
    const raw: LinkingInput = {
      issues: await store.issues.list(),
      issueTexts: await store.issues.texts(),
      events: await store.issues.events(),
      activities: await store.activities.list(),
      activityTexts: await store.activities.texts((await store.activities.list()).map((a) => a.id)),
    };
    capture.start();
    try {
      const linker = new Linker(raw);
      for (const activity of raw.activities) linker.link(activity);
      trainRanker(raw, loadXGBoost(), await tenantEmbedder(store), { ...DEFAULT_RANKER_TRAINING, now: new Date(Date.UTC(2025, 2, 31)) });
    } finally {
      capture.stop();
    }
    for (const item of PII) {
      for (const needle of item.needles) expect(capture.findings(needle), `${item.label}: ${needle}`).toContain("tokenized text");
    }
  });
});
