import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashingEmbedder, cosine, sparseCosine, sparseOf } from "./embedding.js";
import { EMBEDDING_DIMENSIONS } from "./model-choice.js";
import { tokenize } from "./tokens.js";

const KEY = createHash("sha256").update("embedding test key one").digest();
const OTHER_KEY = createHash("sha256").update("embedding test key two").digest();

const SENTENCES = [
  "Fetcher hangs on robots.txt redirects when the host is slow",
  "Parser drops the charset declared in HTML meta tags",
  "Indexer writes duplicate documents after a failed segment merge",
  "Update the plugin documentation for the URL normalizers",
  "Crawl database update loses the fetch time of redirected pages",
  "Language identifier misclassifies short Portuguese pages as Spanish",
];

const words = fc.array(fc.stringMatching(/^[a-z]{2,9}$/), { minLength: 1, maxLength: 30 });

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const v of vector) sum += v * v;
  return Math.sqrt(sum);
}

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder(KEY, EMBEDDING_DIMENSIONS);

  it("names itself by dimensions", () => {
    expect(embedder.name).toBe(`hashing-${String(EMBEDDING_DIMENSIONS)}`);
    expect(embedder.dimensions).toBe(EMBEDDING_DIMENSIONS);
    expect(new HashingEmbedder(KEY).name).toBe("hashing-512");
    expect(embedder.embed(["fetcher"])).toHaveLength(EMBEDDING_DIMENSIONS);
  });

  it("returns unit-length vectors", () => {
    fc.assert(
      fc.property(words, (tokens) => {
        expect(norm(embedder.embed(tokens))).toBeCloseTo(1, 5);
      }),
    );
  });

  it("returns zeros for no tokens", () => {
    const vector = embedder.embed([]);
    expect(vector.every((v) => v === 0)).toBe(true);
    expect(cosine(vector, embedder.embed(["fetcher"]))).toBe(0);
  });

  it("gives identical tokens cosine 1", () => {
    for (const sentence of SENTENCES) {
      const tokens = tokenize(sentence);
      expect(cosine(embedder.embed(tokens), embedder.embed([...tokens]))).toBeCloseTo(1, 5);
    }
  });

  it("gives unrelated vectors under two keys", () => {
    const other = new HashingEmbedder(OTHER_KEY, EMBEDDING_DIMENSIONS);
    const similarities = SENTENCES.map((sentence) => {
      const tokens = tokenize(sentence);
      return cosine(embedder.embed(tokens), other.embed(tokens));
    });
    for (const similarity of similarities) expect(Math.abs(similarity)).toBeLessThan(0.2);
    const meanAbsolute = similarities.reduce((sum, s) => sum + Math.abs(s), 0) / similarities.length;
    expect(meanAbsolute).toBeLessThan(0.1);
  });

  it("matches a copy of the same key", () => {
    const copy = new HashingEmbedder(Buffer.from(KEY), EMBEDDING_DIMENSIONS);
    const tokens = tokenize(SENTENCES[0] ?? "");
    expect(Array.from(copy.embed(tokens))).toEqual(Array.from(embedder.embed(tokens)));
  });

  it("rejects a key shorter than 16 bytes", () => {
    expect(() => new HashingEmbedder(Buffer.alloc(15, 1))).toThrow(RangeError);
    expect(() => new HashingEmbedder(Buffer.alloc(0))).toThrow(/at least 16 bytes/);
    expect(new HashingEmbedder(Buffer.alloc(16, 1)).embed(["fetcher"])).toHaveLength(512);
  });

  it("puts related words closer than unrelated ones", () => {
    const fetcher = embedder.embed(["fetcher"]);
    const related = cosine(fetcher, embedder.embed(["fetching"]));
    expect(related).toBeGreaterThan(0.1);
    for (const word of ["parser", "indexer", "charset", "plugin", "segment", "language"]) {
      expect(cosine(fetcher, embedder.embed([word]))).toBeLessThan(related);
    }
  });
});

describe("sparseCosine", () => {
  const embedder = new HashingEmbedder(KEY, 256);

  it("equals the dense cosine", () => {
    fc.assert(
      fc.property(words, words, (left, right) => {
        const a = embedder.embed(left);
        const b = embedder.embed(right);
        expect(sparseCosine(sparseOf(a), b)).toBeCloseTo(cosine(a, b), 5);
      }),
    );
  });

  it("keeps exactly the non-zero entries", () => {
    fc.assert(
      fc.property(words, (tokens) => {
        const dense = embedder.embed(tokens);
        const sparse = sparseOf(dense);
        expect(sparse.indices.length).toBe(dense.filter((v) => v !== 0).length);
        for (const [k, index] of sparse.indices.entries()) {
          expect(sparse.values[k]).toBe(dense[index]);
          if (k > 0) expect(index).toBeGreaterThan(sparse.indices[k - 1] ?? -1);
        }
      }),
    );
  });
});
