import { createHmac } from "node:crypto";

/**
 * Turns scrubbed, tokenized text into a dense vector. Implementations must not
 * fetch anything at run time; the default needs no model weights at all.
 */
export interface TextEmbedder {
  /** Identifies the embedding in model artifacts, for example "hashing-2048". */
  readonly name: string;
  readonly dimensions: number;
  /** An L2-normalized vector; all zeros for text with no tokens. */
  embed(tokens: readonly string[]): Float32Array;
}

/** Features whose slots are cached, about 50 MB at most. */
const MAX_CACHED_SLOTS = 500_000;
/** Tokens whose slots are cached together. */
const MAX_CACHED_TOKENS = 200_000;

/**
 * Keyed feature hashing of words, word pairs and character trigrams. Each feature's
 * slot and sign come from HMAC-SHA256 under the tenant's key, so the vectors of two
 * tenants are unrelated and a vector cannot be matched against a dictionary of
 * hashed words without the key. Feature hashing is used instead of learned word
 * vectors because it needs no weights and no training, and trigrams still match
 * "fetcher" with "fetching".
 */
export class HashingEmbedder implements TextEmbedder {
  readonly name: string;
  private readonly slots = new Map<string, number>();
  /** Per token, the slots of the word and of its character trigrams: one lookup instead of one per feature. */
  private readonly tokenSlots = new Map<string, Int32Array>();

  constructor(
    private readonly key: Buffer,
    readonly dimensions = 512,
  ) {
    if (key.length < 16) throw new RangeError("the embedding key must be at least 16 bytes");
    this.name = `hashing-${String(dimensions)}`;
  }

  embed(tokens: readonly string[]): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const add = (slot: number, weight: number) => {
      const index = Math.abs(slot) - 1;
      vector[index] = (vector[index] ?? 0) + (slot > 0 ? weight : -weight);
    };
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      const own = this.tokenSlotsOf(token);
      add(own[0] as number, 1);
      const next = tokens[i + 1];
      if (next !== undefined) add(this.slotOf(`b:${token} ${next}`), 0.5);
      for (let c = 1; c < own.length; c++) add(own[c] as number, 0.25);
    }
    let norm = 0;
    for (const v of vector) norm += v * v;
    if (norm === 0) return vector;
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * scale;
    return vector;
  }

  /** Returns the signed slots of a token's word feature, then of each of its character trigrams. */
  private tokenSlotsOf(token: string): Int32Array {
    const cached = this.tokenSlots.get(token);
    if (cached !== undefined) return cached;
    const padded = `<${token}>`;
    const slots = new Int32Array(Math.max(0, padded.length - 2) + 1);
    slots[0] = this.slotOf(`w:${token}`);
    for (let c = 0; c + 3 <= padded.length; c++) slots[c + 1] = this.slotOf(`c:${padded.slice(c, c + 3)}`);
    if (this.tokenSlots.size >= MAX_CACHED_TOKENS) this.tokenSlots.clear();
    this.tokenSlots.set(token, slots);
    return slots;
  }

  /** 1-based slot with the feature's sign; cached because the same words recur in every text. */
  private slotOf(feature: string): number {
    const cached = this.slots.get(feature);
    if (cached !== undefined) return cached;
    const digest = createHmac("sha256", this.key).update("worklens-embedding\u0000").update(feature).digest();
    const slot = (digest.readUInt32BE(0) % this.dimensions) + 1;
    const signed = (digest[4] ?? 0) & 1 ? slot : -slot;
    // A long-running server meets ever more word pairs, so the cache starts over rather than grow without bound.
    if (this.slots.size >= MAX_CACHED_SLOTS) this.slots.clear();
    this.slots.set(feature, signed);
    return signed;
  }
}

/** Cosine similarity of two L2-normalized vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}

/** The non-zero entries of a vector, so that a short text is compared in time proportional to its length. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export function sparseOf(vector: Float32Array): SparseVector {
  let count = 0;
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) count += 1;
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  let k = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i] as number;
    if (v !== 0) {
      indices[k] = i;
      values[k] = v;
      k += 1;
    }
  }
  return { indices, values };
}

/** Cosine similarity of a sparse and a dense L2-normalized vector. */
export function sparseCosine(a: SparseVector, b: Float32Array): number {
  const { indices, values } = a;
  let dot = 0;
  for (let k = 0; k < indices.length; k++) dot += (values[k] as number) * (b[indices[k] as number] ?? 0);
  return dot;
}
