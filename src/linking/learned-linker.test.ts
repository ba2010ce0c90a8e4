import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { ActivityRecord, ActivityText, IssueRecord } from "../domain/types.js";
import { importGit } from "../ingest/git/import.js";
import { importJira } from "../ingest/jira/import.js";
import { loadXGBoost } from "../ml/index.js";
import type { IssueText } from "../store/issue-repository.js";
import { Store } from "../store/store.js";
import { HashingEmbedder } from "./embedding.js";
import { evaluateLinking } from "./evaluate.js";
import { LearnedLinker, type LinkingArtifact } from "./learned-linker.js";
import type { LinkingInput } from "./linker.js";
import { BUNDLED_LINKING_MODEL, EMBEDDING_DIMENSIONS, readLinkingArtifact } from "./model-choice.js";
import { RANKER_FEATURES } from "./ranker-features.js";
import { loadLinkingInput } from "./run-linking.js";
import { DEFAULT_RANKER_TRAINING, linkingExamples, trainRanker } from "./train-ranker.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 2, 1);
const KEY = createHash("sha256").update("learned linker test key").digest();
const NUTCH = resolve(import.meta.dirname, "../../data/nutch");

/** Eight issues on distinct topics, each with the words its commits use. */
const TOPICS: { summary: string; description: string; commits: string[] }[] = [
  {
    summary: "Fetcher hangs on robots.txt redirects",
    description: "The fetcher thread never returns when robots.txt redirects to a slow host, and the fetch queue stalls.",
    commits: ["fetcher thread timeout for robots redirects", "stop the fetch queue stalling on slow hosts", "robots.txt redirect handling in the fetcher", "fetcher gives up on hung robots requests"],
  },
  {
    summary: "HTML parser drops charset from meta tags",
    description: "The parser ignores the charset declared in meta tags and decodes pages as latin1.",
    commits: ["parser reads the charset from the meta tag", "decode html pages with their declared charset", "charset detection in the html parser", "meta tag charset wins over the latin1 default"],
  },
  {
    summary: "Indexer writes duplicate documents after segment merge",
    description: "The solr indexer sends duplicates when segments are merged; deduplicate by digest.",
    commits: ["deduplicate indexed documents by digest", "indexer skips duplicate documents of merged segments", "solr indexer sends each digest once", "duplicate documents after segment merging"],
  },
  {
    summary: "Plugin documentation for URL normalizers is outdated",
    description: "Describe the regex normalizer and the basic normalizer plugin configuration.",
    commits: ["document the regex normalizer plugin", "normalizer plugin configuration documentation", "describe basic url normalizer settings", "documentation of url normalizers"],
  },
  {
    summary: "CrawlDb update loses fetch time of redirected pages",
    description: "Updating the crawl database resets the fetch time and the retry interval of redirected pages.",
    commits: ["crawldb update keeps the fetch time of redirects", "retry interval survives a crawldb update", "crawl database keeps redirected page fetch times", "crawldb update of redirected pages"],
  },
  {
    summary: "Language identifier misclassifies short Portuguese pages",
    description: "The language identification plugin guesses Spanish for short Portuguese pages because its ngram profile is too small.",
    commits: ["larger ngram profile for the language identifier", "language identification of short portuguese pages", "portuguese ngram profile for language detection", "language identifier stops guessing spanish"],
  },
  {
    summary: "OPIC scoring inflates scores of link farms",
    description: "Score distribution over outlinks lets link farms accumulate cash; cap the inlink score.",
    commits: ["cap the opic inlink score", "link farms no longer accumulate opic cash", "opic scoring distributes less over outlinks", "limit scores of link farms"],
  },
  {
    summary: "Generator selects too many URLs per host",
    description: "generate.max.per.host is ignored when partitioning by domain, so topN is exceeded.",
    commits: ["generator honours max per host when partitioning", "generate respects topN per domain", "generator counts urls per host", "partition generated urls by domain with the host limit"],
  },
];

/** Commit messages that share no words with any issue, as many real commit messages do. */
const VAGUE = ["tidy whitespace", "review comments", "small cleanup", "formatting", "typo in a comment", "rename a variable"];

/** Twelve rounds of one commit per issue, six hours apart. Every third round is vaguely worded. */
const ROUNDS = 12;
/** The end of the training data: the examples after it are the held-out test. */
const TRAINING_END = T0 + ROUNDS * TOPICS.length * 6 * HOUR;

function issue(id: number): IssueRecord {
  return {
    id, key: `PROJ-${String(id)}`, projectKey: "PROJ", issueType: "Bug", isSubtask: false, parentKey: null, epicKey: null,
    priority: "Major", status: "Open", statusCategory: "To Do", createdAt: T0 - 30 * DAY + id * HOUR, updatedAt: T0 + 90 * DAY,
    resolvedAt: null, assigneeId: null, reporterId: null,
  };
}

function commit(id: number, personId: number, at: number, keys: string[]): ActivityRecord {
  return {
    id, source: "git", kind: "commit", personId, startAt: at, endAt: at, tz: "UTC", dateOnly: false, localDate: null,
    localEndDate: null, landedAt: null, repo: "nutch", project: null, machine: null, explicitKeys: keys, metrics: {},
  };
}

interface World {
  input: LinkingInput;
  /** Keyed commits after the training data, one clearly worded per issue. */
  heldOut: ActivityRecord[];
  /** A commit after the training data that names no issue and shares no words with any. */
  weak: ActivityRecord;
}

function world(): World {
  const issues = TOPICS.map((_, i) => issue(i + 1));
  const issueTexts = new Map<number, IssueText>(TOPICS.map((t, i) => [i + 1, { summary: t.summary, description: t.description, comments: "" }]));
  const activities: ActivityRecord[] = [];
  const activityTexts = new Map<number, ActivityText>();
  const add = (at: number, issueId: number | null, title: string) => {
    const id = 100 + activities.length;
    const key = issueId === null ? [] : [`PROJ-${String(issueId)}`];
    activities.push(commit(id, 1 + (activities.length % 3), at, key));
    activityTexts.set(id, { title: issueId === null ? title : `PROJ-${String(issueId)}: ${title}` });
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [t, topic] of TOPICS.entries()) {
      const index = round * TOPICS.length + t;
      const vague = round % 3 === 2;
      const title = vague ? (VAGUE[(round + t) % VAGUE.length] ?? "") : (topic.commits[round % topic.commits.length] ?? "");
      add(T0 + index * 6 * HOUR, t + 1, title);
    }
  }
  const heldOutTitles = [
    "fetcher no longer hangs when robots.txt redirects",
    "html parser honours the meta charset",
    "indexer drops duplicate documents from merged segments",
    "update the url normalizer plugin documentation",
    "crawldb update preserves the fetch time of redirected pages",
    "language identifier handles short portuguese pages",
    "opic scoring caps scores of link farms",
    "generator enforces max urls per host",
  ];
  for (const [t, title] of heldOutTitles.entries()) add(TRAINING_END + t * HOUR, t + 1, title);
  add(TRAINING_END + 10 * HOUR, null, "bump version numbers for release");
  const heldOut = activities.filter((a) => a.startAt >= TRAINING_END && a.explicitKeys.length > 0);
  const weak = activities.at(-1);
  if (weak === undefined) throw new Error("the world has no activities");
  return { input: { issues, issueTexts, events: [], activities, activityTexts }, heldOut, weak };
}

function train(input: LinkingInput, before: number): LinkingArtifact {
  return trainRanker(input, loadXGBoost(), new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS), {
    ...DEFAULT_RANKER_TRAINING,
    kinds: ["commit"],
    before,
    now: new Date(TRAINING_END),
  });
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("LearnedLinker on a small world", () => {
  let data: World;
  let artifact: LinkingArtifact;
  const embedder = new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS);

  beforeAll(() => {
    data = world();
    artifact = train(data.input, TRAINING_END);
  });

  it("trains on every example before the end", () => {
    expect(artifact.metrics["examples"]).toBe(ROUNDS * TOPICS.length);
    expect(artifact.metrics["true_issue_not_a_candidate"]).toBe(0);
    expect(artifact.featureNames).toEqual([...RANKER_FEATURES]);
    expect(artifact.embedding).toBe(`hashing-${String(EMBEDDING_DIMENSIONS)}`);
  });

  it("links explicit keys with method explicit", () => {
    const linker = new LearnedLinker(data.input, artifact, embedder);
    for (const activity of data.heldOut) {
      const links = linker.link(activity);
      expect(links).toHaveLength(1);
      expect(links[0]?.method).toBe("explicit");
      expect(`PROJ-${String(links[0]?.issueId)}`).toBe(activity.explicitKeys[0]);
      expect(links[0]?.confidence).toBe(0.99);
    }
  });

  it("ranks the right issue first with keys masked", () => {
    const linker = new LearnedLinker(data.input, artifact, embedder, { maskKeys: true });
    for (const activity of data.heldOut) {
      const ranked = linker.rankIssues(activity);
      expect(ranked).toHaveLength(TOPICS.length);
      expect(ranked[0]?.issue.key).toBe(activity.explicitKeys[0]);
      const links = linker.link(activity);
      expect(links[0]?.method).toBe("ranked");
      expect(links[0]?.issueId).toBe(ranked[0]?.issue.id);
      expect(links[0]?.confidence).toBeGreaterThanOrEqual(linker.threshold);
    }
  });

  it("leaves a weak activity unlinked", () => {
    const linker = new LearnedLinker(data.input, artifact, embedder, { maskKeys: true });
    const ranked = linker.rankIssues(data.weak);
    expect(ranked.length).toBeGreaterThan(0);
    expect(linker.threshold).toBe(artifact.threshold);
    expect(linker.confidence(ranked)).toBeLessThan(linker.threshold);
    expect(linker.link(data.weak)).toEqual([]);
  });

  it("explains ranked links with ranker features", () => {
    const linker = new LearnedLinker(data.input, artifact, embedder, { maskKeys: true });
    const links = data.heldOut.flatMap((a) => linker.link(a));
    expect(links.length).toBeGreaterThan(0);
    const names: readonly string[] = RANKER_FEATURES;
    for (const link of links) {
      expect(link.evidence.length).toBeGreaterThan(0);
      expect(link.evidence.length).toBeLessThanOrEqual(3);
      for (const evidence of link.evidence) {
        expect(evidence.kind).toMatch(/^feature:/);
        expect(names).toContain(evidence.kind.slice("feature:".length));
        expect(evidence.weight).toBeGreaterThan(0);
        expect(evidence.activityId).toBe(link.activityId);
        expect(evidence.detail).toContain(`PROJ-${String(link.issueId)}`);
      }
      const weights = link.evidence.map((e) => e.weight ?? 0);
      expect(weights).toEqual([...weights].sort((a, b) => b - a));
    }
  });

  it("rejects an artifact of other features", () => {
    const other = { ...artifact, featureNames: RANKER_FEATURES.slice(1) };
    const error = thrown(() => new LearnedLinker(data.input, other, embedder));
    expect(error).toBeInstanceOf(WorklensError);
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    expect(String(error)).toMatch(/other features/);
    const reordered = { ...artifact, featureNames: [...RANKER_FEATURES].reverse() };
    expect(thrown(() => new LearnedLinker(data.input, reordered, embedder))).toMatchObject({ code: "INVALID_INPUT" });
  });

  it("rejects an artifact of another embedding", () => {
    const error = thrown(() => new LearnedLinker(data.input, artifact, new HashingEmbedder(KEY, 512)));
    expect(error).toBeInstanceOf(WorklensError);
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    expect(String(error)).toMatch(/expects the hashing-2048 embedding, not hashing-512/);
  });
});

describe("trainRanker with before", () => {
  /** The start of round 6, counting from 0: 48 examples come before it, the last at 2025-03-12T18:00Z. */
  const CUT = T0 + 48 * 6 * HOUR;

  it("trains only on examples before the cut", () => {
    const { input } = world();
    const artifact = train(input, CUT);
    const before = linkingExamples(input, ["commit"]).filter((e) => e.activity.startAt < CUT);
    expect(before).toHaveLength(48);
    expect(artifact.metrics["examples"]).toBe(before.length);
    expect(artifact.metrics["calibration_examples"]).toBe(12);
    expect(artifact.window).toEqual({ from: "2025-03-01", to: "2025-03-12" });
  });

  it("ignores the labels of later examples", () => {
    const { input } = world();
    const original = train(input, CUT);
    // Pointing every later commit at another issue would change any model that trained on them.
    const relabelled = input.activities.map((a) => {
      if (a.startAt < CUT || a.explicitKeys.length === 0) return a;
      const id = Number(a.explicitKeys[0]?.slice("PROJ-".length));
      return { ...a, explicitKeys: [`PROJ-${String((id % TOPICS.length) + 1)}`] };
    });
    const changed = train({ ...input, activities: relabelled }, CUT);
    expect(changed.model).toEqual(original.model);
    expect(changed.calibration).toEqual(original.calibration);

    const leaky = train({ ...input, activities: relabelled }, TRAINING_END);
    expect(leaky.model).not.toEqual(train(input, TRAINING_END).model);
  });
});

describe("bundled linking model", () => {
  let folder: string;
  let input: LinkingInput;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-learned-linker-"));
    const store = await Store.open({ kind: "sqlite", file: join(folder, "nutch.sqlite") });
    try {
      await importJira(store, join(NUTCH, "jira-issues.json"));
      await importGit(store, join(NUTCH, "git-log.txt"));
      input = await loadLinkingInput(store);
    } finally {
      await store.close();
    }
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("loads and predicts without XGBoost", () => {
    const artifact = readLinkingArtifact(BUNDLED_LINKING_MODEL);
    expect(artifact.featureNames).toEqual([...RANKER_FEATURES]);
    const linker = new LearnedLinker(input, artifact, new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS), { maskKeys: true });
    const { metrics } = evaluateLinking(input, { maskKeys: true, kinds: ["commit"], model: linker, from: Date.UTC(2010, 7, 4) });
    expect(metrics.n).toBe(162);
    expect(metrics.hit_at_1).toBeGreaterThanOrEqual(0.85);
    expect(metrics.mrr).toBeGreaterThanOrEqual(0.88);
  });

  it("links with the full model's best candidate and exact score when it scores in stages", () => {
    const linker = new LearnedLinker(input, readLinkingArtifact(BUNDLED_LINKING_MODEL), new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS), { maskKeys: true });
    // Activities with more candidates than the cascade finishes, so that it runs.
    const busy = input.activities.filter((a) => a.kind === "commit" && linker.rankIssues(a).length > 20).slice(0, 300);
    expect(busy).toHaveLength(300);
    let linked = 0;
    let same = 0;
    for (const activity of busy) {
      const full = linker.rankIssues(activity);
      const top = linker.link(activity)[0];
      if (top === undefined) continue;
      linked += 1;
      if (top.issueId === full[0]?.issue.id && top.score === full[0].score) same += 1;
    }
    expect(linked).toBeGreaterThan(100);
    // Finishing only the leaders may rarely miss the best candidate: at most once in 300 activities.
    expect(same).toBeGreaterThanOrEqual(linked - 1);
  });

  it("links Nutch commits by key and by rank", () => {
    const artifact = readLinkingArtifact(BUNDLED_LINKING_MODEL);
    const embedder = new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS);
    const imported = new Set(input.issues.map((i) => i.key));
    const keyed = input.activities
      .filter((a) => a.kind === "commit" && a.startAt >= Date.UTC(2010, 7, 4) && a.explicitKeys.some((k) => imported.has(k)))
      .slice(0, 20);
    expect(keyed).toHaveLength(20);

    const plain = new LearnedLinker(input, artifact, embedder);
    for (const activity of keyed) expect(plain.link(activity)[0]?.method).toBe("explicit");

    const masked = new LearnedLinker(input, artifact, embedder, { maskKeys: true });
    const ranked = keyed.flatMap((a) => masked.link(a).slice(0, 1));
    expect(ranked.length).toBeGreaterThan(10);
    for (const link of ranked) {
      expect(link.method).toBe("ranked");
      expect(Number.isFinite(link.score)).toBe(true);
      expect(link.confidence).toBeGreaterThanOrEqual(artifact.threshold);
      expect(link.confidence).toBeLessThanOrEqual(0.95);
    }
  });
});
