import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { embeddingInUse, linkerFactory, useEmbedding } from "../linking/model-choice.js";
import { Store } from "../store/store.js";
import { loadConfig, loadEmbedding } from "./config.js";

describe("embedding setting", () => {
  afterEach(() => {
    useEmbedding({ kind: "hashing" });
  });

  it("defaults to hashing", () => {
    expect(loadEmbedding({})).toEqual({ kind: "hashing" });
    expect(loadEmbedding({ WORKLENS_EMBEDDING_FOLDER: " " })).toEqual({ kind: "hashing" });
  });

  it("reads a sentence model folder as an absolute path", () => {
    expect(loadEmbedding({ WORKLENS_EMBEDDING_FOLDER: "models/minilm" })).toEqual({ kind: "sentence", folder: resolve("models/minilm") });
  });

  it("is applied to linking by loadConfig", () => {
    const config = loadConfig({}, { WORKLENS_EMBEDDING_FOLDER: "/srv/minilm" }, false);
    expect(config.embedding).toEqual({ kind: "sentence", folder: "/srv/minilm" });
    expect(embeddingInUse()).toEqual({ kind: "sentence", folder: "/srv/minilm" });
    loadConfig({}, {}, false);
    expect(embeddingInUse()).toEqual({ kind: "hashing" });
  });

  it("loads the sentence model for the learned linker only", async () => {
    const folder = mkdtempSync(join(tmpdir(), "worklens-config-"));
    const store = await Store.open({ kind: "sqlite", file: join(folder, "store.sqlite") });
    try {
      useEmbedding({ kind: "sentence", folder: join(folder, "no-model") });
      const error = await linkerFactory(store, "learned").then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(WorklensError);
      expect((error as WorklensError).message).toContain(join(folder, "no-model"));
      const rules = await linkerFactory(store, "rules");
      const linker = await rules({ issues: [], issueTexts: new Map(), events: [], activities: [], activityTexts: new Map() });
      expect(linker.threshold).toBeGreaterThan(0);
    } finally {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
