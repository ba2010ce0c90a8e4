import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import { HashingEmbedder } from "./embedding.js";
import { LearnedLinker, type ActivityLinker, type LinkingArtifact } from "./learned-linker.js";
import { Linker, type LinkerOptions, type LinkingInput } from "./linker.js";

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
 * One embedder per key, so that its word-slot cache and the issue embeddings cached
 * for it outlive a single linking run. Keyed by a digest of the key, never the key.
 */
const EMBEDDERS = new Map<string, HashingEmbedder>();

/** Returns the tenant's keyed embedding, one instance per key. */
export async function tenantEmbedder(store: Store): Promise<HashingEmbedder> {
  const key = await store.settings.secret(EMBEDDING_SECRET);
  const id = createHash("sha256").update("worklens embedder id\u0000").update(key).digest("base64");
  let embedder = EMBEDDERS.get(id);
  if (embedder === undefined) {
    embedder = new HashingEmbedder(key, EMBEDDING_DIMENSIONS);
    EMBEDDERS.set(id, embedder);
  }
  return embedder;
}

/** Builds a factory of the linker a store uses in `mode`, so callers load the model once. */
export async function linkerFactory(
  store: Store,
  mode: RankerMode,
  options: Partial<LinkerOptions> = {},
): Promise<(input: LinkingInput) => ActivityLinker> {
  if (mode === "rules") return (input) => new Linker(input, options);
  const artifact = await currentLinkingArtifact(store);
  const embedder = await tenantEmbedder(store);
  return (input) => new LearnedLinker(input, artifact, embedder, options);
}
