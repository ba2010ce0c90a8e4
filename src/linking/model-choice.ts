import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import { HashingEmbedder, type TextEmbedder } from "./embedding.js";
import { issueTokenLists, queryTokenLists } from "./embedding-texts.js";
import { LearnedLinker, type ActivityLinker, type LinkingArtifact } from "./learned-linker.js";
import { Linker, type LinkerOptions, type LinkingInput } from "./linker.js";
import { loadLinkingInput } from "./linking-input.js";
import { SentenceEmbedder } from "./sentence-embedder.js";
import { loadSentenceEmbedder } from "./sentence-model.js";

/** "learned": model 1 (the live model, else the bundled one); "rules": the AI-off fallback. */
export type RankerMode = "learned" | "rules";

/** The linking model shipped with worklens, trained on the bundled Apache Nutch data (docs/models.md). */
export const BUNDLED_LINKING_MODEL = fileURLToPath(new URL("../../models/linking-default.json", import.meta.url));

/** Dimensions of the default text embedding. */
export const EMBEDDING_DIMENSIONS = 2048;

/** Name of the store secret that keys the text embedding. */
export const EMBEDDING_SECRET = "linking-embedding";

const artifactSchema = z.object({
  kind: z.literal("linking"),
  version: z.number().int(),
  featureNames: z.array(z.string()),
  embedding: z.string(),
  maxCandidates: z.number().int().positive(),
  staleAfterMs: z.number().positive(),
  model: z.unknown(),
  calibration: z.object({ intercept: z.number(), topScore: z.number(), margin: z.number() }),
  threshold: z.number().min(0).max(1),
  trainedAt: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  metrics: z.record(z.string(), z.number()),
});

/** Validate a parsed artifact; `origin` names where it came from in the error. */
export function parseLinkingArtifact(value: unknown, origin: string): LinkingArtifact {
  const parsed = artifactSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorklensError("INVALID_INPUT", `${origin}: not a worklens linking model: ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`, "pass a file written by `worklens eval linking --save-model` or `worklens train`");
  }
  return parsed.data;
}

export function readLinkingArtifact(file: string): LinkingArtifact {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new WorklensError("NOT_FOUND", `cannot read the linking model ${file}`, "check the path", { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WorklensError("INVALID_INPUT", `${file}: not valid JSON`, "pass a model file written by worklens", { cause: error });
  }
  return parseLinkingArtifact(value, file);
}

/** Returns the live registered linking model, else the bundled one. */
export async function currentLinkingArtifact(store: Store): Promise<LinkingArtifact> {
  const live = await store.models.live("linking");
  if (live !== undefined) return parseLinkingArtifact(live.artifact, `registered linking model ${String(live.version)}`);
  return readLinkingArtifact(BUNDLED_LINKING_MODEL);
}

/**
 * The text embedding of model 1: "hashing", keyed feature hashing that needs no model
 * weights (the default), or "sentence", a sentence-embedding model loaded from a local
 * folder with the optional @huggingface/transformers package.
 */
export type EmbeddingSetting = { readonly kind: "hashing" } | { readonly kind: "sentence"; readonly folder: string };

/** Process-wide, because linking is reached from commands, jobs and training that do not carry the CLI config. */
let embeddingSetting: EmbeddingSetting = { kind: "hashing" };

/** Sets the embedding every later linking run and training uses, as read from the config at start-up. */
export function useEmbedding(setting: EmbeddingSetting): void {
  embeddingSetting = setting;
}

/** Returns the embedding set by `useEmbedding`. */
export function embeddingInUse(): EmbeddingSetting {
  return embeddingSetting;
}

/**
 * One embedder per key, so that its word-slot cache and the issue embeddings cached
 * for it outlive a single linking run. Keyed by a digest of the key, never the key.
 */
const EMBEDDERS = new Map<string, HashingEmbedder>();

/** Sentence embedders per model folder, loaded once because loading reads the whole model. */
const SENTENCE_EMBEDDERS = new Map<string, Promise<SentenceEmbedder>>();

/** Returns the tenant's keyed hashing embedding, one instance per key. */
export async function hashingEmbedder(store: Store): Promise<HashingEmbedder> {
  const key = await store.settings.secret(EMBEDDING_SECRET);
  const id = createHash("sha256").update("worklens embedder id\u0000").update(key).digest("base64");
  let embedder = EMBEDDERS.get(id);
  if (embedder === undefined) {
    embedder = new HashingEmbedder(key, EMBEDDING_DIMENSIONS);
    EMBEDDERS.set(id, embedder);
  }
  return embedder;
}

/** Returns the sentence embedder of a model folder and loads it on first use. A failed load is retried on the next call. */
export function sentenceEmbedder(folder: string): Promise<SentenceEmbedder> {
  let loading = SENTENCE_EMBEDDERS.get(folder);
  if (loading === undefined) {
    loading = loadSentenceEmbedder(folder);
    SENTENCE_EMBEDDERS.set(folder, loading);
    loading.catch(() => SENTENCE_EMBEDDERS.delete(folder));
  }
  return loading;
}

/** Returns the configured embedder. A sentence embedder is not prepared for any text yet. */
export async function configuredEmbedder(store: Store): Promise<TextEmbedder> {
  const setting = embeddingSetting;
  return setting.kind === "sentence" ? sentenceEmbedder(setting.folder) : hashingEmbedder(store);
}

/**
 * Returns the tenant's configured embedder, ready to embed every text of the store's
 * linking input. A sentence embedder is prepared for each issue and for each
 * activity's query, with issue keys both shown and masked, because training and its
 * evaluation mask them.
 */
export async function tenantEmbedder(store: Store): Promise<TextEmbedder> {
  const embedder = await configuredEmbedder(store);
  if (embedder instanceof SentenceEmbedder) {
    const input = await loadLinkingInput(store);
    await embedder.prepare(issueTokenLists(input));
    for (const maskKeys of [false, true]) await embedder.prepare(queryTokenLists(input, new Linker(input, { maskKeys })));
  }
  return embedder;
}

/**
 * Builds a factory of the linker a store uses in `mode`, so callers load the model
 * once. The factory is asynchronous because a sentence embedder embeds the input's
 * texts before the ranker can read them.
 */
export async function linkerFactory(
  store: Store,
  mode: RankerMode,
  options: Partial<LinkerOptions> = {},
): Promise<(input: LinkingInput) => Promise<ActivityLinker>> {
  if (mode === "rules") return (input) => Promise.resolve(new Linker(input, options));
  const artifact = await currentLinkingArtifact(store);
  const embedder = await configuredEmbedder(store);
  // Checked here before a sentence model embeds every text, which is slow. LearnedLinker checks it again.
  if (artifact.embedding !== embedder.name) {
    throw new WorklensError("INVALID_INPUT", `linking model version ${String(artifact.version)} expects the ${artifact.embedding} embedding, not ${embedder.name}`, "retrain it with `worklens train --kind linking`, or set the embedding it was trained with");
  }
  return (input) => learnedLinker(input, artifact, embedder, options);
}

/** Builds the learned linker, first embedding the texts it will read when the embedder is a sentence model. */
async function learnedLinker(input: LinkingInput, artifact: LinkingArtifact, embedder: TextEmbedder, options: Partial<LinkerOptions>): Promise<ActivityLinker> {
  if (!(embedder instanceof SentenceEmbedder)) return new LearnedLinker(input, artifact, embedder, options);
  // The issue vectors are computed when the linker is built, the query vectors while it links.
  await embedder.prepare(issueTokenLists(input));
  const linker = new LearnedLinker(input, artifact, embedder, options);
  await embedder.prepare(queryTokenLists(input, linker.ruleLinker));
  return linker;
}
