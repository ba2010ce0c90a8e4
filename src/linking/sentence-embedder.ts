import { createHash } from "node:crypto";
import { WorklensError } from "../domain/errors.js";
import type { TextEmbedder } from "./embedding.js";

/**
 * Token vectors of a batch of texts as a sentence-embedding model returns them, before
 * pooling: `hidden` is row-major `[texts, sequence, dimensions]` and `mask` is
 * `[texts, sequence]`, 1 for a real token and 0 for padding.
 */
export interface TokenVectors {
  hidden: Float32Array;
  mask: ArrayLike<number | bigint>;
  sequence: number;
  dimensions: number;
}

/** Runs a sentence-embedding model. Asynchronous because ONNX Runtime is. */
export interface SentenceBackend {
  tokenVectors(texts: readonly string[]): Promise<TokenVectors>;
}

export interface SentenceEmbedderOptions {
  /** Texts per model call: larger batches pad more, smaller ones call the model more often. */
  batchSize?: number;
  /** Cached vectors kept across `prepare` calls; those of the latest call are always kept. */
  maxCached?: number;
}

const DEFAULT_BATCH_SIZE = 32;
/** About 150 MB of 384-dimension vectors. */
const DEFAULT_MAX_CACHED = 100_000;

/**
 * A `TextEmbedder` over a sentence-embedding model. The model runs asynchronously, but
 * the ranker calls `embed` synchronously, so callers `await prepare(...)` with every
 * token list the ranker will embed first, and `embed` returns the cached vector.
 * Texts are the scrubbed token lists joined by spaces, never raw text.
 */
export class SentenceEmbedder implements TextEmbedder {
  readonly name: string;
  private readonly vectors = new Map<string, Float32Array>();
  private readonly batchSize: number;
  private readonly maxCached: number;

  /**
   * `label` names the model in `name`, for example the model folder's base name, so that
   * a ranker trained with one model does not load with another.
   */
  constructor(
    private readonly backend: SentenceBackend,
    label: string,
    readonly dimensions: number,
    options: SentenceEmbedderOptions = {},
  ) {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new RangeError(`sentence embedding dimensions must be a positive integer, not ${String(dimensions)}`);
    this.name = `sentence-${label}-${String(dimensions)}`;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxCached = options.maxCached ?? DEFAULT_MAX_CACHED;
  }

  /**
   * Embeds every token list not embedded yet, in batches, and caches the vectors by a
   * digest of the text. Returns how many texts the model embedded.
   */
  async prepare(tokenLists: Iterable<readonly string[]>): Promise<number> {
    const wanted = new Map<string, string>();
    for (const tokens of tokenLists) {
      if (tokens.length === 0) continue;
      const text = tokens.join(" ");
      wanted.set(digestOf(text), text);
    }
    const missing = [...wanted].filter(([digest]) => !this.vectors.has(digest));
    this.evictOthers(wanted, missing.length);

    for (let start = 0; start < missing.length; start += this.batchSize) {
      const batch = missing.slice(start, start + this.batchSize);
      const pooled = meanPooled(await this.backend.tokenVectors(batch.map(([, text]) => text)), batch.length);
      for (const [i, [digest]] of batch.entries()) {
        const vector = pooled[i];
        if (vector === undefined) continue;
        if (vector.length !== this.dimensions) {
          throw new WorklensError("INVALID_INPUT", `the sentence model ${this.name} returned ${String(vector.length)}-dimension vectors, not ${String(this.dimensions)}`, "check that the model folder contains one model");
        }
        this.vectors.set(digest, vector);
      }
    }
    return missing.length;
  }

  embed(tokens: readonly string[]): Float32Array {
    if (tokens.length === 0) return new Float32Array(this.dimensions);
    const text = tokens.join(" ");
    const vector = this.vectors.get(digestOf(text));
    if (vector === undefined) {
      const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new WorklensError("INTERNAL", `the sentence embedding of "${preview}" was not prepared`, "call `await embedder.prepare(rankerTokenLists(input, linker))` before linking");
    }
    return vector;
  }

  /** Number of cached vectors. */
  get cached(): number {
    return this.vectors.size;
  }

  /** Makes room for `adding` vectors by dropping those the current `prepare` call does not need. */
  private evictOthers(wanted: ReadonlyMap<string, string>, adding: number): void {
    if (this.vectors.size + adding <= this.maxCached) return;
    for (const digest of this.vectors.keys()) if (!wanted.has(digest)) this.vectors.delete(digest);
  }
}

function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}

/**
 * Averages each text's token vectors over its real tokens (the attention mask), as
 * sentence-transformers models are trained to be read, then scales the mean to unit length.
 */
export function meanPooled(output: TokenVectors, texts: number): Float32Array[] {
  const { hidden, mask, sequence, dimensions } = output;
  if (hidden.length !== texts * sequence * dimensions || mask.length !== texts * sequence) {
    throw new WorklensError("INVALID_INPUT", `the sentence model returned ${String(hidden.length)} values and a mask of ${String(mask.length)} for ${String(texts)} texts of ${String(sequence)} tokens and ${String(dimensions)} dimensions`, "check that the model's output is last_hidden_state [batch, sequence, hidden]");
  }
  const vectors: Float32Array[] = [];
  for (let t = 0; t < texts; t++) {
    const sum = new Float32Array(dimensions);
    let tokens = 0;
    for (let s = 0; s < sequence; s++) {
      if (Number(mask[t * sequence + s] ?? 0) === 0) continue;
      tokens += 1;
      const offset = (t * sequence + s) * dimensions;
      for (let d = 0; d < dimensions; d++) sum[d] = (sum[d] ?? 0) + (hidden[offset + d] ?? 0);
    }
    vectors.push(normalized(sum, tokens));
  }
  return vectors;
}

/** Divides by the token count and by the L2 norm. A text with no tokens stays all zeros. */
function normalized(sum: Float32Array, tokens: number): Float32Array {
  if (tokens === 0) return sum;
  let norm = 0;
  for (const v of sum) norm += (v / tokens) * (v / tokens);
  if (norm === 0) return sum;
  const scale = 1 / (tokens * Math.sqrt(norm));
  for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] ?? 0) * scale;
  return sum;
}
