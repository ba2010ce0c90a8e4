import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { WorklensError } from "../domain/errors.js";
import { SentenceEmbedder, type SentenceBackend, type SentenceEmbedderOptions, type TokenVectors } from "./sentence-embedder.js";

/** The optional package that runs sentence-embedding models; worklens does not depend on it. */
export const TRANSFORMERS_PACKAGE = "@huggingface/transformers";

/** The install command for operators. It skips the onnxruntime-node post-install, which downloads CUDA libraries from outside npm. */
export const TRANSFORMERS_INSTALL = `ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save ${TRANSFORMERS_PACKAGE}@4`;

/** Files a model folder must contain, relative to it. */
export const MODEL_FILES = ["config.json", "tokenizer.json", "onnx/model.onnx"] as const;

/** The parts of transformers.js 4 that worklens calls, typed here because the package is optional. */
interface TransformersModule {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    useFSCache: boolean;
    useBrowserCache: boolean;
    cacheDir: string | null;
    fetch: (input: string | URL) => Promise<unknown>;
  };
  AutoTokenizer: { from_pretrained(model: string): Promise<Tokenizer> };
  AutoModel: { from_pretrained(model: string, options: { dtype: string; device: string }): Promise<Model> };
}

interface Tensor {
  data: ArrayLike<number | bigint>;
  dims: number[];
}
type Tokenizer = (texts: string[], options: { padding: boolean; truncation: boolean }) => Record<string, Tensor>;
type Model = (inputs: Record<string, Tensor>) => Promise<Record<string, Tensor | undefined>>;

export interface SentenceModelOptions extends SentenceEmbedderOptions {
  /** Imports transformers.js; tests replace it to act as if the package were missing. */
  importModule?: () => Promise<unknown>;
}

/**
 * Loads a sentence-embedding model (ONNX, as exported for transformers.js) from a local
 * folder. Remote models are disabled and `fetch` rejects, so nothing is downloaded at run
 * time, and the file cache is off, so nothing is written.
 */
export async function loadSentenceEmbedder(folder: string, options: SentenceModelOptions = {}): Promise<SentenceEmbedder> {
  const root = resolve(folder);
  checkModelFolder(root);
  const transformers = await importTransformers(options.importModule ?? (() => import(TRANSFORMERS_PACKAGE)));
  const backend = await TransformersBackend.load(transformers, root);
  const dimensions = await backend.probeDimensions();
  return new SentenceEmbedder(backend, basename(root), dimensions, options);
}

/** Throws naming the folder and the first missing file. */
export function checkModelFolder(root: string): void {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new WorklensError("NOT_FOUND", `sentence model folder ${root} not found`, "set WORKLENS_EMBEDDING_FOLDER to a folder with config.json, tokenizer.json and onnx/model.onnx, or unset it to use the default hashing embedding");
  }
  for (const file of MODEL_FILES) {
    if (!existsSync(join(root, file))) {
      throw new WorklensError("NOT_FOUND", `sentence model folder ${root} has no ${file}`, `copy the model's ${file} into it; the folder needs ${MODEL_FILES.join(", ")}`);
    }
  }
}

async function importTransformers(importModule: () => Promise<unknown>): Promise<TransformersModule> {
  let loaded: unknown;
  try {
    loaded = await importModule();
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new WorklensError("UNAVAILABLE", `the sentence embedding needs the optional package ${TRANSFORMERS_PACKAGE}, which is not installed`, `install it in the worklens folder with \`${TRANSFORMERS_INSTALL}\`, or unset WORKLENS_EMBEDDING_FOLDER`, { cause: error });
    }
    throw new WorklensError("UNAVAILABLE", `cannot load ${TRANSFORMERS_PACKAGE}: ${error instanceof Error ? error.message : String(error)}`, `reinstall it with \`${TRANSFORMERS_INSTALL}\``, { cause: error });
  }
  if (!isTransformersModule(loaded)) {
    throw new WorklensError("UNAVAILABLE", `${TRANSFORMERS_PACKAGE} has no env, AutoTokenizer or AutoModel export; worklens needs version 4`, `install version 4 with \`${TRANSFORMERS_INSTALL}\``);
  }
  return loaded;
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

function isTransformersModule(value: unknown): value is TransformersModule {
  if (typeof value !== "object" || value === null) return false;
  const module = value as Record<string, unknown>;
  return typeof module["env"] === "object" && typeof module["AutoTokenizer"] === "function" && typeof module["AutoModel"] === "function";
}

/** Tokenizes and runs the ONNX model on the CPU through transformers.js. */
class TransformersBackend implements SentenceBackend {
  private constructor(
    private readonly root: string,
    private readonly tokenizer: Tokenizer,
    private readonly model: Model,
  ) {}

  static async load(transformers: TransformersModule, root: string): Promise<TransformersBackend> {
    const { env } = transformers;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    // transformers.js resolves a model name against localModelPath, so the name is the folder's base name.
    env.localModelPath = `${dirname(root)}/`;
    env.useFSCache = false;
    env.useBrowserCache = false;
    env.cacheDir = root;
    env.fetch = (input) => Promise.reject(new Error(`worklens fetches no model files, but transformers.js requested ${String(input)}`));
    const name = basename(root);
    try {
      const tokenizer = await transformers.AutoTokenizer.from_pretrained(name);
      const model = await transformers.AutoModel.from_pretrained(name, { dtype: "fp32", device: "cpu" });
      return new TransformersBackend(root, tokenizer, model);
    } catch (error) {
      throw new WorklensError("INVALID_INPUT", `failed to load the sentence model in ${root}: ${error instanceof Error ? error.message : String(error)}`, "check that the folder contains a transformers.js model: config.json, tokenizer.json and onnx/model.onnx", { cause: error });
    }
  }

  async tokenVectors(texts: readonly string[]): Promise<TokenVectors> {
    const inputs = this.tokenizer([...texts], { padding: true, truncation: true });
    const mask = inputs["attention_mask"];
    let output: Record<string, Tensor | undefined>;
    try {
      output = await this.model(inputs);
    } catch (error) {
      throw new WorklensError("INVALID_INPUT", `the sentence model in ${this.root} failed: ${error instanceof Error ? error.message : String(error)}`, "check that the model takes input_ids and attention_mask", { cause: error });
    }
    const hidden = output["last_hidden_state"];
    const [count, sequence, dimensions] = hidden?.dims ?? [];
    if (hidden === undefined || mask === undefined || count !== texts.length || sequence === undefined || dimensions === undefined || !(hidden.data instanceof Float32Array)) {
      throw new WorklensError("INVALID_INPUT", `the sentence model in ${this.root} returned no float32 last_hidden_state [batch, sequence, hidden] output`, "export the model for feature extraction, with a last_hidden_state output");
    }
    return { hidden: hidden.data, mask: mask.data, sequence, dimensions };
  }

  /** Embeds one word to learn the model's dimensions, which config.json names differently per architecture. */
  async probeDimensions(): Promise<number> {
    return (await this.tokenVectors(["probe"])).dimensions;
  }
}
