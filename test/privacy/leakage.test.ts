import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importGit } from "../../src/ingest/git/import.js";
import { importJira } from "../../src/ingest/jira/import.js";
import { BUNDLED_LINKING_MODEL, EMBEDDING_DIMENSIONS, EMBEDDING_SECRET, tenantEmbedder } from "../../src/linking/model-choice.js";
import { RANKER_FEATURE_LABELS, RANKER_FEATURES } from "../../src/linking/ranker-features.js";
import { loadLinkingInput, runLinking } from "../../src/linking/run-linking.js";
import { tokenize } from "../../src/linking/tokens.js";
import { loadXGBoost } from "../../src/ml/index.js";
import { Store } from "../../src/store/store.js";
import { trainAndGate } from "../../src/training/gate.js";
import { linkingTrainer } from "../../src/training/linking-trainer.js";

/**
 * The attacker has the store's SQLite file and the model files, but not the key
 * file beside the database, and has a dictionary of every token of the corpus.
 */
const NUTCH = resolve(import.meta.dirname, "../../data/nutch");

/** Field names an attacker would try in `field\0token` digests. */
const FIELDS = ["summary", "description", "comments", "comment", "title", "body", "branch", "paths", "path", "name", "email", "identity", "person", "text", "token", "issue", "activity"];

/** Share of tokens an attack may recover before the test fails. */
const MAX_RECOVERED = 0.01;

function share(found: ReadonlySet<string>, of: ReadonlySet<string>): number {
  let hits = 0;
  for (const token of found) if (of.has(token)) hits += 1;
  return hits / of.size;
}

/**
 * Base64 or base64url runs mixing upper case, lower case and digits: encrypted values
 * and other encoded blobs. Read as words they yield chance tokens ("thta" in
 * "...WP2thtaPX..."), which an attacker could not tell from real ones.
 */
const ENCODED_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;

function isEncoded(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}

/** Tokens shorter than this turn up by chance in any few megabytes of binary data, so finding them proves nothing. */
const MIN_PLAIN_TOKEN = 4;

/** Tokens of every readable stretch of bytes, read as UTF-8 and as UTF-16 at both byte alignments, encoded runs left out. */
function plainTokens(bytes: Buffer): Set<string> {
  const found = new Set<string>();
  const readings = [bytes.toString("utf8"), bytes.toString("utf16le"), bytes.subarray(1).toString("utf16le")];
  for (const text of readings) {
    const readable = text.replace(ENCODED_RUN, (run) => (isEncoded(run) ? " " : run));
    for (const token of tokenize(readable)) if (token.length >= MIN_PLAIN_TOKEN) found.add(token);
  }
  return found;
}

const BASE64_VALUES = new Int8Array(128).fill(0);
const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUES[BASE64_ALPHABET.charCodeAt(i)] = i;
BASE64_VALUES["-".charCodeAt(0)] = 62;
BASE64_VALUES["_".charCodeAt(0)] = 63;

/** Decodes the three bytes that the four base64 or base64url characters at `at` encode, as one number. */
function base64Head(text: string, at: number): number {
  let value = 0;
  for (let k = 0; k < 4; k++) value = value * 64 + (BASE64_VALUES[text.charCodeAt(at + k)] ?? 0);
  return value;
}

/** Tokens of a model's JSON keys and of the ranker's feature names and labels, which every model of this version carries. */
function modelVocabulary(model: unknown): Set<string> {
  const words = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        for (const token of tokenize(key)) words.add(token);
        visit(item);
      }
    }
  };
  visit(model);
  for (const name of [...RANKER_FEATURES, ...Object.values(RANKER_FEATURE_LABELS)]) for (const token of tokenize(name.replace(/_/g, " "))) words.add(token);
  return words;
}

/**
 * Finds unkeyed digests of dictionary entries in the bytes, as raw bytes, lower-case
 * hex, base64 and base64url. Digests are indexed by their first three bytes, which
 * six hex characters or four base64 characters encode, so each position of the file
 * costs one map lookup.
 */
class DigestSearch {
  private readonly digests: Buffer[] = [];
  private readonly sources: string[] = [];
  private readonly byPrefix = new Map<number, number[]>();

  constructor(entries: Iterable<string>) {
    for (const entry of entries) {
      const forms = [entry, ...FIELDS.map((field) => `${field}\u0000${entry}`)];
      for (const form of forms) {
        for (const algorithm of ["md5", "sha1", "sha256"]) {
          const digest = createHash(algorithm).update(form, "utf8").digest();
          const prefix = digest.readUIntBE(0, 3);
          const list = this.byPrefix.get(prefix) ?? [];
          list.push(this.digests.length);
          this.byPrefix.set(prefix, list);
          this.digests.push(digest);
          this.sources.push(entry);
        }
      }
    }
  }

  get size(): number {
    return this.digests.length;
  }

  /** Dictionary entries whose digest appears in the bytes in any of the four encodings. */
  search(bytes: Buffer): Set<string> {
    const found = new Set<string>();
    const check = (candidates: readonly number[], matches: (digest: Buffer) => boolean) => {
      for (const index of candidates) {
        const digest = this.digests[index];
        const source = this.sources[index];
        if (digest !== undefined && source !== undefined && matches(digest)) found.add(source);
      }
    };
    for (let offset = 0; offset + 16 <= bytes.length; offset++) {
      const candidates = this.byPrefix.get(bytes.readUIntBE(offset, 3));
      if (candidates !== undefined) check(candidates, (digest) => bytes.subarray(offset, offset + digest.length).equals(digest));
    }
    const text = bytes.toString("latin1");
    for (const run of text.matchAll(/[0-9a-f]{32,}/g)) {
      for (let i = 0; i + 32 <= run[0].length; i++) {
        const candidates = this.byPrefix.get(Number.parseInt(run[0].slice(i, i + 6), 16));
        if (candidates !== undefined) check(candidates, (digest) => run[0].startsWith(digest.toString("hex"), i));
      }
    }
    for (const run of text.matchAll(/[A-Za-z0-9+/_-]{22,}/g)) {
      for (let i = 0; i + 22 <= run[0].length; i++) {
        const candidates = this.byPrefix.get(base64Head(run[0], i));
        if (candidates === undefined) continue;
        check(candidates, (digest) => run[0].startsWith(digest.toString("base64").replace(/=+$/, ""), i) || run[0].startsWith(digest.toString("base64url"), i));
      }
    }
    return found;
  }
}

/** Computes the slots and signs of a token's features under a key, as the keyed hashing embedder does. */
function featureSlots(key: Buffer, token: string): { slot: number; sign: number }[] {
  const features = [`w:${token}`];
  const padded = `<${token}>`;
  for (let c = 0; c + 3 <= padded.length; c++) features.push(`c:${padded.slice(c, c + 3)}`);
  return features.map((feature) => {
    const digest = createHmac("sha256", key).update("worklens-embedding\u0000").update(feature).digest();
    return { slot: digest.readUInt32BE(0) % EMBEDDING_DIMENSIONS, sign: (digest[4] ?? 0) & 1 ? 1 : -1 };
  });
}

interface EmbeddedText {
  vector: Float32Array;
  tokens: ReadonlySet<string>;
}

/** Four times the 10th percentile of the non-zero magnitudes: about the weight one word adds to this vector. */
function wordUnit(vector: Float32Array): number {
  const magnitudes = [...vector].filter((v) => v !== 0).map((v) => Math.abs(v)).sort((a, b) => a - b);
  return 4 * (magnitudes[Math.floor(magnitudes.length * 0.1)] ?? 0);
}

/**
 * The dictionary attack on slots: a token is claimed for a vector when its word slot
 * and every trigram slot carry its sign, and the word slot has at least three
 * quarters of one word's weight. Returns the distinct tokens claimed for a vector
 * whose text really contains them.
 */
function slotAttack(key: Buffer, dictionary: readonly string[], texts: readonly EmbeddedText[]): Set<string> {
  const signatures = dictionary.map((token) => featureSlots(key, token));
  const recovered = new Set<string>();
  for (const { vector, tokens } of texts) {
    const unit = wordUnit(vector);
    for (const [i, slots] of signatures.entries()) {
      const token = dictionary[i];
      if (token === undefined || recovered.has(token) || !tokens.has(token)) continue;
      const [word, ...trigrams] = slots;
      if (word === undefined) continue;
      const value = vector[word.slot] ?? 0;
      if (Math.sign(value) !== word.sign || Math.abs(value) < 0.75 * unit) continue;
      if (trigrams.every(({ slot, sign }) => Math.sign(vector[slot] ?? 0) === sign)) recovered.add(token);
    }
  }
  return recovered;
}

describe("leakage to an attacker without the tenant key", () => {
  let folder: string;
  let databaseBytes: Buffer;
  let emptyStoreBytes: Buffer;
  let modelBytes: Buffer;
  let dictionary: Set<string>;
  let people: Set<string>;
  let embedded: EmbeddedText[];
  let issueTokens: Set<string>;
  let issueSample: string;
  let embeddingKey: Buffer;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-leakage-"));
    const empty = await Store.open({ kind: "sqlite", file: join(folder, "empty.sqlite") });
    await empty.close();
    emptyStoreBytes = readFileSync(join(folder, "empty.sqlite"));
    const store = await Store.open({ kind: "sqlite", file: join(folder, "store.sqlite") });
    try {
      await importJira(store, join(NUTCH, "jira-issues.json"));
      await importGit(store, join(NUTCH, "git-log.txt"));
      await runLinking(store);
      const gate = await trainAndGate(store, linkingTrainer, loadXGBoost(), { today: "2011-06-01", holdoutDays: 150, minHoldout: 30, clock: () => Date.UTC(2011, 5, 1, 3) });
      expect(gate.candidate).not.toBeNull();

      // The attacker's best case: every token of the raw texts, and every name and e-mail address.
      dictionary = new Set();
      const activities = await store.activities.list();
      for (const text of (await store.activities.texts(activities.map((a) => a.id))).values()) {
        for (const value of [text.title, text.body, text.branch, text.paths]) for (const token of tokenize(value ?? "")) dictionary.add(token);
      }
      const rawIssues = [...(await store.issues.texts()).values()].map((text) => `${text.summary}\n${text.description}\n${text.comments}`);
      for (const text of rawIssues) for (const token of tokenize(text)) dictionary.add(token);
      issueSample = rawIssues.slice(0, 200).join("\n");
      people = new Set();
      for (const person of await store.people.list()) {
        for (const value of [person.displayName, person.email, ...person.identities.map((i) => i.externalId)]) {
          if (value !== null) people.add(value);
        }
      }

      // Stage 2 material: issue vectors computed as the ranker computes them, from scrubbed texts.
      const input = await loadLinkingInput(store);
      const embedder = await tenantEmbedder(store);
      embeddingKey = await store.settings.secret(EMBEDDING_SECRET);
      embedded = [];
      issueTokens = new Set();
      for (const text of input.issueTexts.values()) {
        const summary = tokenize(text.summary);
        const all = [...summary, ...tokenize(text.description), ...tokenize(text.comments)];
        embedded.push({ vector: embedder.embed(all), tokens: new Set(all) }, { vector: embedder.embed(summary), tokens: new Set(summary) });
        for (const token of all) issueTokens.add(token);
      }
    } finally {
      await store.close();
    }
    // Everything in the folder but the key file: the database and any journal beside it.
    const files = readdirSync(folder).filter((name) => name.startsWith("store.sqlite") && !name.endsWith(".key"));
    expect(files).toContain("store.sqlite");
    databaseBytes = Buffer.concat(files.map((name) => readFileSync(join(folder, name))));
    modelBytes = readFileSync(BUNDLED_LINKING_MODEL);
  }, 600_000);

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("finds few corpus tokens in plain bytes", () => {
    // Words every installation contains tell the attacker nothing about this tenant: the
    // table and column names of an empty store, and the field and feature names of a model.
    const software = new Set([...plainTokens(emptyStoreBytes), ...modelVocabulary(JSON.parse(modelBytes.toString("utf8")))]);
    const candidates = new Set([...dictionary].filter((token) => token.length >= MIN_PLAIN_TOKEN && !software.has(token)));
    const found = new Set([...plainTokens(databaseBytes), ...plainTokens(modelBytes)].filter((token) => candidates.has(token)));
    const rate = share(found, candidates);
    console.info(`plain bytes: ${String(found.size)} of ${String(candidates.size)} distinct corpus tokens of ${String(MIN_PLAIN_TOKEN)}+ characters outside the software's own vocabulary (${(100 * rate).toFixed(2)} %) in ${String(databaseBytes.length)} database bytes and ${String(modelBytes.length)} model bytes; found: ${[...found].join(" ")}`);
    expect(candidates.size).toBeGreaterThan(5000);
    expect(rate).toBeLessThan(MAX_RECOVERED);
  });

  it("control: plain search reads UTF-16 text", () => {
    const text = issueSample;
    const expected = new Set(tokenize(text).filter((token) => token.length >= MIN_PLAIN_TOKEN));
    const bytes = Buffer.concat([randomBytes(4096), Buffer.from(` ${text} `, "utf16le"), randomBytes(4096)]);
    const found = plainTokens(bytes);
    expect(expected.size).toBeGreaterThan(1000);
    expect(share(found, expected)).toBeGreaterThan(0.99);
  });

  it("finds no unkeyed digest of a token or name", () => {
    const search = new DigestSearch([...dictionary, ...people]);
    const found = new Set([...search.search(databaseBytes), ...search.search(modelBytes)]);
    console.info(`unkeyed digests: ${String(found.size)} of ${String(dictionary.size + people.size)} entries found among ${String(search.size)} digests; found: ${[...found].slice(0, 20).join(" ")}`);
    expect(share(found, dictionary)).toBeLessThan(MAX_RECOVERED);
    expect([...found].filter((entry) => people.has(entry))).toEqual([]);
  });

  it("control: the digest search finds a planted digest", () => {
    const search = new DigestSearch(["fetcher"]);
    const planted = Buffer.concat([Buffer.from("xx "), Buffer.from(createHash("sha1").update("summary\u0000fetcher").digest("base64url")), Buffer.from(" yy")]);
    expect([...search.search(planted)]).toEqual(["fetcher"]);
  });

  it("recovers almost no tokens from issue vectors without the key", () => {
    const words = [...dictionary];
    const guesses: [string, Buffer][] = [
      ["empty key", Buffer.alloc(0)],
      ["32 zero bytes", Buffer.alloc(32)],
      ['"worklens"', Buffer.from("worklens")],
      ["another random key", createHash("sha256").update("not the tenant's key").digest()],
    ];
    const rates: string[] = [];
    for (const [label, key] of guesses) {
      const rate = share(slotAttack(key, words, embedded), issueTokens);
      rates.push(`${label} ${(100 * rate).toFixed(2)} %`);
      expect(rate, label).toBeLessThan(MAX_RECOVERED);
    }
    console.info(`slot attack on ${String(embedded.length)} vectors, ${String(issueTokens.size)} distinct issue tokens: ${rates.join(", ")}`);
  });

  it("control: the slot attack works with the real key", () => {
    const rate = share(slotAttack(embeddingKey, [...dictionary], embedded), issueTokens);
    console.info(`slot attack with the tenant's embedding key: ${(100 * rate).toFixed(2)} % of distinct issue tokens`);
    expect(rate).toBeGreaterThan(0.5);
  });
});
