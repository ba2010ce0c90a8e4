import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActivityRecord } from "../domain/types.js";
import { importGit } from "../ingest/git/import.js";
import { importJira } from "../ingest/jira/import.js";
import { LearnedLinker } from "../linking/learned-linker.js";
import type { LinkingInput } from "../linking/linker.js";
import { BUNDLED_LINKING_MODEL, parseLinkingArtifact, readLinkingArtifact, tenantEmbedder } from "../linking/model-choice.js";
import { loadLinkingInput, runLinking } from "../linking/run-linking.js";
import { loadXGBoost } from "../ml/index.js";
import type { Store } from "../store/store.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { trainAndGate } from "./gate.js";
import { linkingTrainer } from "./linking-trainer.js";

const NUTCH = resolve(import.meta.dirname, "../../data/nutch");

/**
 * Nutch's keyed commits thin out after 2010, so the holdout spans 150 days. From
 * 2011-01-02 to 2011-05-31 it contains 69 labels, and training covers the 180 days before.
 */
const GATE = { today: "2011-06-01", holdoutDays: 150, minHoldout: 30, clock: () => Date.UTC(2011, 5, 1, 3) };
const HOLDOUT = { from: "2011-01-02", to: "2011-05-31" };

/** Commits of 2011 that name no issue: runLinking ranks them with the live model. */
function unkeyedCommits(input: LinkingInput): ActivityRecord[] {
  return input.activities.filter((a) => a.kind === "commit" && a.explicitKeys.length === 0 && a.startAt >= Date.UTC(2011, 0, 1)).slice(0, 40);
}

describe.each(BACKENDS)("linkingTrainer on Nutch in %s", (backend) => {
  let handle: TestStore;
  let store: Store;

  beforeAll(async () => {
    handle = await openTestStore(backend);
    store = handle.store;
    await importJira(store, join(NUTCH, "jira-issues.json"));
    await importGit(store, join(NUTCH, "git-log.txt"));
  });
  afterAll(async () => {
    await handle.dispose();
  });

  it("measures the rules and the bundled model", async () => {
    const rules = await linkingTrainer.evaluate(store, null, HOLDOUT);
    const bundled = await linkingTrainer.evaluate(store, readLinkingArtifact(BUNDLED_LINKING_MODEL), HOLDOUT);
    for (const measure of [rules, bundled]) {
      expect(measure.n).toBe(69);
      expect(measure.error).toBeGreaterThanOrEqual(0);
      expect(measure.error).toBeLessThanOrEqual(1);
    }
    expect(bundled.error).toBeLessThan(rules.error);
  });

  it("trains nothing without enough held-out labels", async () => {
    const report = await trainAndGate(store, linkingTrainer, loadXGBoost(), { ...GATE, today: "2005-03-01" });
    expect(report.outcome).toBe("insufficient_holdout");
    expect(report.holdoutN).toBe(0);
    expect(report.candidate).toBeNull();
    expect(report.note).toMatch(/^not trained: 0 held-out labels from 2004-10-02 to 2005-02-28/);
    expect(await store.models.list("linking")).toEqual([]);
  });

  it("promotes a model better than the bundled one it replaces", async () => {
    const report = await trainAndGate(store, linkingTrainer, loadXGBoost(), GATE);
    expect(report.holdoutWindow).toEqual(HOLDOUT);
    expect(report.trainingWindow).toEqual({ from: "2010-07-06", to: "2011-01-01" });
    expect(report.holdoutN).toBe(69);
    expect(report.reference.model).toBeNull();
    expect(report.outcome).toBe("promoted");
    expect(report.candidate?.error).toBeLessThan(report.reference.error);
    expect(report.note).toMatch(/^promoted: held-out error [\d.]+ vs [\d.]+ of the bundled linking model on 69 held-out labels from 2011-01-02 to 2011-05-31$/);

    const live = await store.models.live("linking");
    expect(live?.id).toBe(report.candidate?.id);
    expect(live?.note).toBe(report.note);
    const artifact = parseLinkingArtifact(live?.artifact, "live model");
    expect(artifact.window.from >= "2010-07-06").toBe(true);
    expect(artifact.window.to <= "2011-01-01").toBe(true);
    expect(artifact.metrics["examples"]).toBeGreaterThan(50);
  });

  it("rejects an equal candidate", async () => {
    const live = await store.models.live("linking");
    const report = await trainAndGate(store, linkingTrainer, loadXGBoost(), GATE);
    expect(report.reference.model).toEqual({ id: live?.id, version: live?.version });
    expect(report.outcome).toBe("rejected");
    expect(report.candidate?.error).toBe(report.reference.error);
    expect(report.note).toMatch(/^rejected: held-out error [\d.]+ vs [\d.]+ of the live v1 on 69 held-out labels .*; the candidate is not better$/);
    expect((await store.models.live("linking"))?.id).toBe(live?.id);
    const stored = report.candidate === null ? undefined : await store.models.get(report.candidate.id);
    expect(stored?.status).toBe("rejected");
  });

  it("links with the live model", async () => {
    const live = await store.models.live("linking");
    const artifact = parseLinkingArtifact(live?.artifact, "live model");
    const input = await loadLinkingInput(store);
    const commits = unkeyedCommits(input);
    expect(commits).toHaveLength(40);

    const summary = await runLinking(store, {}, undefined, new Set(commits.map((c) => c.id)));
    expect(summary.activities).toBe(40);
    expect(summary.explicit).toBe(0);
    expect(summary.ranked).toBeGreaterThan(0);

    const embedder = await tenantEmbedder(store);
    const expected = new LearnedLinker(input, artifact, embedder);
    const bundled = new LearnedLinker(input, readLinkingArtifact(BUNDLED_LINKING_MODEL), embedder);
    const stored = (await store.results.links()).filter((l) => l.rank === 0);
    expect(stored).toHaveLength(summary.ranked);
    let differsFromBundled = 0;
    for (const link of stored) {
      const activity = commits.find((c) => c.id === link.activityId);
      if (activity === undefined) throw new Error(`link of activity ${String(link.activityId)}, which was not linked`);
      const mine = expected.link(activity)[0];
      expect(link.issueId).toBe(mine?.issueId);
      expect(link.score).toBeCloseTo(mine?.score ?? Number.NaN, 6);
      expect(link.method).toBe("ranked");
      if (Math.abs((bundled.rankIssues(activity)[0]?.score ?? 0) - link.score) > 1e-6) differsFromBundled += 1;
    }
    // The bundled model scores differently, so matching scores show the live model ranked these commits.
    expect(differsFromBundled).toBe(stored.length);
  });
});
