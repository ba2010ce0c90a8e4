import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { ActivityRecord, ActivityText, IssueRecord } from "../domain/types.js";
import type { IssueText } from "../store/issue-repository.js";
import { cosine } from "./embedding.js";
import { issueTokenLists, queryTokenLists, rankerTokenLists } from "./embedding-texts.js";
import { LearnedLinker, type LinkingArtifact } from "./learned-linker.js";
import { Linker, type LinkingInput } from "./linker.js";
import { tokenize } from "./tokens.js";
import { BUNDLED_LINKING_MODEL, readLinkingArtifact } from "./model-choice.js";
import { meanPooled, SentenceEmbedder, type SentenceBackend, type TokenVectors } from "./sentence-embedder.js";
import { loadSentenceEmbedder, MODEL_FILES, TRANSFORMERS_PACKAGE } from "./sentence-model.js";
import { writeTinySentenceModel, type TinyModel } from "./test-support/tiny-sentence-model.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 1);

/** Gives each word a fixed vector and records every batch it is asked for. */
class FakeBackend implements SentenceBackend {
  readonly batches: string[][] = [];

  constructor(readonly dimensions = 4) {}

  tokenVectors(texts: readonly string[]): Promise<TokenVectors> {
    this.batches.push([...texts]);
    const words = texts.map((t) => t.split(" "));
    const sequence = Math.max(1, ...words.map((w) => w.length));
    const hidden = new Float32Array(texts.length * sequence * this.dimensions);
    const mask = new Array<number>(texts.length * sequence).fill(0);
    for (const [t, list] of words.entries()) {
      for (const [s, word] of list.entries()) {
        mask[t * sequence + s] = 1;
        for (let d = 0; d < this.dimensions; d++) hidden[(t * sequence + s) * this.dimensions + d] = wordValue(word, d);
      }
    }
    return Promise.resolve({ hidden, mask, sequence, dimensions: this.dimensions });
  }
}

function wordValue(word: string, dimension: number): number {
  let sum = 0;
  for (const char of word) sum += char.charCodeAt(0);
  return Math.sin(sum * (dimension + 1));
}

function expectError(run: () => unknown, code: string, ...parts: string[]): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WorklensError);
  expect((caught as WorklensError).code).toBe(code);
  for (const part of parts) expect((caught as WorklensError).message).toContain(part);
}

async function expectRejection(run: () => Promise<unknown>, code: string, ...parts: string[]): Promise<WorklensError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorklensError);
  const worklens = error as WorklensError;
  expect(worklens.code).toBe(code);
  for (const part of parts) expect(`${worklens.message} ${worklens.hint ?? ""}`).toContain(part);
  return worklens;
}

describe("meanPooled", () => {
  it("averages real tokens only and normalises", () => {
    // Two texts of two tokens and three dimensions. The second text's second token is padding.
    const hidden = Float32Array.from([1, 0, 0, 0, 1, 0, 3, 4, 0, 100, 100, 100]);
    const [first, second] = meanPooled({ hidden, mask: [1, 1, 1, 0], sequence: 2, dimensions: 3 }, 2);
    expect(Array.from(first ?? [])).toEqual([Math.SQRT1_2, Math.SQRT1_2, 0].map((v) => Math.fround(v)));
    expect(Array.from(second ?? [])).toEqual([0.6, 0.8, 0].map((v) => Math.fround(v)));
  });

  it("reads bigint masks", () => {
    const [vector] = meanPooled({ hidden: Float32Array.from([2, 0, 5, 5]), mask: BigInt64Array.from([1n, 0n]), sequence: 2, dimensions: 2 }, 1);
    expect(Array.from(vector ?? [])).toEqual([1, 0]);
  });

  it("leaves a text without tokens at zero", () => {
    const [vector] = meanPooled({ hidden: Float32Array.from([2, 3]), mask: [0], sequence: 1, dimensions: 2 }, 1);
    expect(Array.from(vector ?? [])).toEqual([0, 0]);
  });

  it("rejects output of the wrong size", () => {
    expectError(() => meanPooled({ hidden: new Float32Array(5), mask: [1, 1], sequence: 2, dimensions: 2 }, 1), "INVALID_INPUT", "5 values", "1 texts");
  });
});

describe("SentenceEmbedder", () => {
  it("names the model and its dimensions", () => {
    expect(new SentenceEmbedder(new FakeBackend(), "all-MiniLM-L6-v2", 4).name).toBe("sentence-all-MiniLM-L6-v2-4");
  });

  it("embeds prepared texts in batches, once each", async () => {
    const backend = new FakeBackend();
    const embedder = new SentenceEmbedder(backend, "fake", 4, { batchSize: 2 });
    const lists = [["fetch", "parser"], ["crawl"], ["fetch", "parser"], ["index", "merge"], []];

    expect(await embedder.prepare(lists)).toBe(3);
    expect(backend.batches).toEqual([["fetch parser", "crawl"], ["index merge"]]);
    expect(await embedder.prepare([["crawl"], ["fetch", "parser"]])).toBe(0);
    expect(backend.batches).toHaveLength(2);
    expect(embedder.cached).toBe(3);
  });

  it("returns the pooled, unit-length vector", async () => {
    const embedder = new SentenceEmbedder(new FakeBackend(), "fake", 4);
    await embedder.prepare([["fetch", "parser"]]);
    const vector = embedder.embed(["fetch", "parser"]);
    const expected = [0, 1, 2, 3].map((d) => (wordValue("fetch", d) + wordValue("parser", d)) / 2);
    const norm = Math.hypot(...expected);
    for (const [d, value] of expected.entries()) expect(vector[d]).toBeCloseTo(value / norm, 6);
    expect(cosine(vector, vector)).toBeCloseTo(1, 6);
  });

  it("returns zeros for no tokens without preparing", () => {
    const embedder = new SentenceEmbedder(new FakeBackend(), "fake", 4);
    expect(Array.from(embedder.embed([]))).toEqual([0, 0, 0, 0]);
  });

  it("throws naming a text that was not prepared", async () => {
    const embedder = new SentenceEmbedder(new FakeBackend(), "fake", 4);
    await embedder.prepare([["fetch"]]);
    expectError(() => embedder.embed(["fetch", "timeout"]), "INTERNAL", "fetch timeout", "not prepared");
  });

  it("evicts only texts the latest call does not need", async () => {
    const backend = new FakeBackend();
    const embedder = new SentenceEmbedder(backend, "fake", 4, { maxCached: 2 });
    await embedder.prepare([["a"], ["b"]]);
    await embedder.prepare([["b"], ["c"]]);
    expect(embedder.cached).toBe(2);
    expect(embedder.embed(["b"])).toHaveLength(4);
    expect(embedder.embed(["c"])).toHaveLength(4);
    expectError(() => embedder.embed(["a"]), "INTERNAL", '"a"');
  });

  it("rejects vectors of other dimensions", async () => {
    const embedder = new SentenceEmbedder(new FakeBackend(3), "fake", 4);
    await expectRejection(() => embedder.prepare([["fetch"]]), "INVALID_INPUT", "3-dimension", "sentence-fake-4");
  });
});

describe("loadSentenceEmbedder errors", () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-sentence-"));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("names a missing folder", async () => {
    await expectRejection(() => loadSentenceEmbedder(join(folder, "absent")), "NOT_FOUND", join(folder, "absent"), "not found", "WORKLENS_EMBEDDING_FOLDER");
  });

  it("names each missing file", async () => {
    const model = join(folder, "partial");
    writeTinySentenceModel(model, ["fetch"], 4);
    for (const file of MODEL_FILES) {
      const target = join(model, file);
      rmSync(target);
      await expectRejection(() => loadSentenceEmbedder(model), "NOT_FOUND", model, `has no ${file}`);
      writeTinySentenceModel(model, ["fetch"], 4);
    }
  });

  it("names the package and its install command when missing", async () => {
    const model = join(folder, "complete");
    writeTinySentenceModel(model, ["fetch"], 4);
    const missing = Object.assign(new Error(`Cannot find package '${TRANSFORMERS_PACKAGE}'`), { code: "ERR_MODULE_NOT_FOUND" });
    const error = await expectRejection(() => loadSentenceEmbedder(model, { importModule: () => Promise.reject(missing) }), "UNAVAILABLE", TRANSFORMERS_PACKAGE, "not installed", "npm install --no-save", "ONNXRUNTIME_NODE_INSTALL=skip");
    expect(error.cause).toBe(missing);
  });

  it("rejects a package without the expected exports", async () => {
    const model = join(folder, "complete");
    await expectRejection(() => loadSentenceEmbedder(model, { importModule: () => Promise.resolve({ pipeline: () => undefined }) }), "UNAVAILABLE", "AutoTokenizer", "version 4");
  });
});

function issue(id: number): IssueRecord {
  return {
    id, key: `PROJ-${String(id)}`, projectKey: "PROJ", issueType: "Bug", isSubtask: false, parentKey: null, epicKey: null,
    priority: "Major", status: "Open", statusCategory: "To Do", createdAt: T0 - 30 * 24 * HOUR + id * HOUR, updatedAt: T0 + 90 * 24 * HOUR,
    resolvedAt: null, assigneeId: null, reporterId: null,
  };
}

function commit(id: number, at: number, keys: string[]): ActivityRecord {
  return {
    id, source: "git", kind: "commit", personId: 1, startAt: at, endAt: at, tz: "UTC", dateOnly: false, localDate: null,
    localEndDate: null, landedAt: null, repo: "nutch", project: null, machine: null, explicitKeys: keys, metrics: {},
  };
}

const ISSUES: { summary: string; description: string; comments: string }[] = [
  { summary: "Fetcher hangs on robots redirects", description: "The fetcher thread never returns.", comments: "fixed the fetch queue" },
  { summary: "Parser drops the meta charset", description: "Pages are decoded as latin1.", comments: "" },
  { summary: "Indexer writes duplicate documents", description: "Deduplicate by digest.", comments: "" },
];
const COMMITS = ["PROJ-1: fetcher timeout for robots redirects", "charset from the meta tag", "deduplicate indexed documents by digest", "tidy whitespace"];

/** Three issues, a fourth without text, and four commits, one naming its issue. */
function smallInput(): LinkingInput {
  const issues = [1, 2, 3, 4].map(issue);
  const issueTexts = new Map<number, IssueText>(ISSUES.map((t, i) => [i + 1, t]));
  const activities = COMMITS.map((_, i) => commit(100 + i, T0 + i * HOUR, i === 0 ? ["PROJ-1"] : []));
  const activityTexts = new Map<number, ActivityText>(COMMITS.map((title, i) => [100 + i, { title }]));
  return { issues, issueTexts, events: [], activities, activityTexts };
}

/** Returns the bundled ranker relabelled as trained with `embedding`, to run the ranker's code paths. */
function artifactFor(embedding: string): LinkingArtifact {
  return { ...readLinkingArtifact(BUNDLED_LINKING_MODEL), embedding };
}

describe("ranker token lists", () => {
  it("lists issue and query tokens", () => {
    const input = smallInput();
    const linker = new Linker(input, { maskKeys: true });
    const issues = issueTokenLists(input);
    const [first] = ISSUES;
    expect(issues).toHaveLength(6);
    expect(issues[0]).toEqual([...tokenize(first?.summary ?? ""), ...tokenize(first?.description ?? ""), ...tokenize(first?.comments ?? "")]);
    expect(issues[1]).toEqual(tokenize(first?.summary ?? ""));
    const queries = queryTokenLists(input, linker);
    expect(queries).toEqual(input.activities.map((a) => linker.queryTokensOf(a)));
    expect(queries[0]?.some((t) => t.toLowerCase().includes("proj"))).toBe(false);
    expect(rankerTokenLists(input, linker)).toEqual([...issues, ...queries]);
  });

  it("cover every text the learned ranker embeds", async () => {
    const input = smallInput();
    const embedder = new SentenceEmbedder(new FakeBackend(), "fake", 4);
    const artifact = artifactFor(embedder.name);
    expectError(() => new LearnedLinker(input, artifact, embedder, { maskKeys: true }), "INTERNAL", "not prepared");

    for (const maskKeys of [false, true]) {
      const rules = new Linker(input, { maskKeys });
      await embedder.prepare(rankerTokenLists(input, rules));
      const linker = new LearnedLinker(input, artifact, embedder, { maskKeys });
      for (const activity of input.activities) expect(() => linker.rankIssues(activity)).not.toThrow();
      const ranked = linker.rankIssues(input.activities[2] ?? commit(0, 0, []));
      expect(ranked.length).toBeGreaterThan(0);
    }
  });

  it("reject a ranker trained with another embedding", () => {
    const input = smallInput();
    const embedder = new SentenceEmbedder(new FakeBackend(), "fake", 4);
    expectError(() => new LearnedLinker(input, artifactFor("hashing-2048"), embedder), "INVALID_INPUT", "hashing-2048", "sentence-fake-4");
    expectError(() => new LearnedLinker(input, artifactFor("sentence-other-4"), embedder), "INVALID_INPUT", "sentence-other-4");
  });
});

/** Checks whether the optional package resolves from here, because the real-model tests need it. */
function transformersInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve(TRANSFORMERS_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!transformersInstalled())(`sentence model through ${TRANSFORMERS_PACKAGE} (skipped when it is not installed)`, () => {
  const WORDS = ["fetcher", "timeout", "robots", "redirects", "charset", "meta", "parser", "indexer", "duplicate", "documents"];
  let folder: string;
  let model: TinyModel;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "worklens-sentence-"));
    model = writeTinySentenceModel(join(folder, "tiny"), WORDS, 8);
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  /** Computes the normalised mean of the table rows of `words` plus 1, unknown words taking row 0. */
  function expectedVector(words: readonly string[]): number[] {
    const sum = new Array<number>(model.dimensions).fill(0);
    for (const word of words) {
      const row = Math.max(0, model.vocabulary.indexOf(word));
      for (let d = 0; d < model.dimensions; d++) sum[d] = (sum[d] ?? 0) + (model.table[row * model.dimensions + d] ?? 0) + 1;
    }
    const norm = Math.hypot(...sum);
    return sum.map((v) => v / norm);
  }

  it("loads from the folder and pools like the model", async () => {
    const embedder = await loadSentenceEmbedder(join(folder, "tiny"), { batchSize: 2 });
    expect(embedder.name).toBe("sentence-tiny-8");
    expect(embedder.dimensions).toBe(8);

    const texts = [["fetcher", "timeout"], ["charset", "meta", "parser"], ["indexer"], ["unknown", "redirects"]];
    expect(await embedder.prepare(texts)).toBe(4);
    for (const words of texts) {
      const vector = embedder.embed(words);
      for (const [d, value] of expectedVector(words).entries()) expect(vector[d]).toBeCloseTo(value, 5);
    }
  });

  it("writes nothing into the model folder", async () => {
    const before = readdirSync(join(folder, "tiny"), { recursive: true }).sort();
    const embedder = await loadSentenceEmbedder(join(folder, "tiny"));
    await embedder.prepare([["fetcher"]]);
    expect(readdirSync(join(folder, "tiny"), { recursive: true }).sort()).toEqual(before);
  });

  it("names the folder of an invalid model", async () => {
    const broken = join(folder, "broken");
    writeTinySentenceModel(broken, WORDS, 8);
    writeFileSync(join(broken, "onnx", "model.onnx"), "not an onnx model");
    await expectRejection(() => loadSentenceEmbedder(broken), "INVALID_INPUT", broken);
  });

  it("ranks through the learned linker", async () => {
    const input = smallInput();
    const embedder = await loadSentenceEmbedder(join(folder, "tiny"));
    const rules = new Linker(input, { maskKeys: true });
    await embedder.prepare(rankerTokenLists(input, rules));
    const linker = new LearnedLinker(input, artifactFor(embedder.name), embedder, { maskKeys: true });
    const ranked = linker.rankIssues(input.activities[0] ?? commit(0, 0, []));
    expect(ranked.length).toBeGreaterThan(0);
    const embeddingColumn = readLinkingArtifact(BUNDLED_LINKING_MODEL).featureNames.indexOf("embedding");
    expect(ranked.some((c) => (c.row[embeddingColumn] ?? 0) !== 0)).toBe(true);
  });
});
