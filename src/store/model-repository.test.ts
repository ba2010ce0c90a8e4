import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import type { ModelArtifact, ModelKind } from "./model-types.js";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

function artifact(kind: ModelKind, metrics: Record<string, number> = {}): ModelArtifact {
  return {
    kind,
    version: 0,
    featureNames: ["suggested_seconds"],
    model: { learner: { note: "not a real XGBoost model; the registry does not read it" } },
    trainedAt: "2025-03-15T00:00:00.000Z",
    window: { from: "2024-09-01", to: "2025-02-28" },
    metrics,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<WorklensError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof WorklensError)) throw new Error(`expected a WorklensError, got ${String(error)}`);
  return error;
}

describe.each(BACKENDS)("ModelRepository on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("numbers versions per kind", async () => {
    const { models } = handle.store;
    const first = await models.add({ artifact: artifact("time") });
    const other = await models.add({ artifact: artifact("linking") });
    const second = await models.add({ artifact: artifact("time"), status: "rejected", note: "worse" });

    expect([first.version, other.version, second.version]).toEqual([1, 1, 2]);
    expect(second.status).toBe("rejected");
    expect(second.artifact.version).toBe(2);
    expect((await models.list("time")).map((m) => m.version)).toEqual([2, 1]);
    expect(await models.list()).toHaveLength(3);
  });

  it("keeps artifact fields and merges metrics", async () => {
    const { models } = handle.store;
    const withExtra = { ...artifact("time", { mae_seconds: 900 }), interval: { low: -300, high: 600 } };
    const added = await models.add({ artifact: withExtra, metrics: { holdout_error: 850 } });
    const loaded = await models.get(added.id);

    expect(loaded?.metrics).toEqual({ mae_seconds: 900, holdout_error: 850 });
    expect(loaded?.artifact.metrics).toEqual({ mae_seconds: 900, holdout_error: 850 });
    expect(loaded?.artifact).toMatchObject({ interval: { low: -300, high: 600 }, featureNames: ["suggested_seconds"] });
    expect(loaded?.window).toEqual({ from: "2024-09-01", to: "2025-02-28" });
  });

  it("rejects an artifact with a bad window", async () => {
    const bad = { ...artifact("time"), window: { from: "2024-9-1", to: "2025-02-28" } };
    const error = await errorOf(handle.store.models.add({ artifact: bad }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("window.from");
  });

  it("promote retires the live model", async () => {
    const { models } = handle.store;
    const first = await models.add({ artifact: artifact("time") });
    const second = await models.add({ artifact: artifact("time") });
    const linking = await models.add({ artifact: artifact("linking") });
    await models.promote(first.id, "first", 1000);
    await models.promote(linking.id, "linking", 1500);
    await models.promote(second.id, "better", 2000);

    expect((await models.live("time"))?.id).toBe(second.id);
    expect((await models.live("linking"))?.id).toBe(linking.id);
    const retired = await models.get(first.id);
    expect(retired?.status).toBe("retired");
    expect(retired?.retiredAt).toBe(2000);
    expect(retired?.note).toBe("first");
  });

  it("promote of a live model is a conflict", async () => {
    const { models } = handle.store;
    const first = await models.add({ artifact: artifact("time") });
    await models.promote(first.id, "first");
    expect((await errorOf(models.promote(first.id, "again"))).code).toBe("CONFLICT");
    expect((await errorOf(models.promote(999, "missing"))).code).toBe("NOT_FOUND");
  });

  it("concurrent promotions leave one live", async () => {
    const { models } = handle.store;
    const added = [];
    for (let i = 0; i < 6; i++) added.push(await models.add({ artifact: artifact("time") }));
    await Promise.all(added.map((model) => models.promote(model.id, `promotion ${model.version}`)));

    const statuses = (await models.list("time")).map((m) => m.status);
    expect(statuses.filter((status) => status === "live")).toHaveLength(1);
    expect(statuses.filter((status) => status === "retired")).toHaveLength(5);
  });

  it("concurrent adds get distinct versions", async () => {
    const { models } = handle.store;
    const added = await Promise.all([1, 2, 3, 4].map(() => models.add({ artifact: artifact("linking") })));
    expect(added.map((m) => m.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it("rollback walks back to earlier versions", async () => {
    const { models } = handle.store;
    const v1 = await models.add({ artifact: artifact("time") });
    const v2 = await models.add({ artifact: artifact("time") });
    const v3 = await models.add({ artifact: artifact("time") });
    await models.promote(v1.id, "v1", 1000);
    await models.promote(v2.id, "v2", 2000);
    await models.promote(v3.id, "v3", 3000);

    const restored = await models.rollback("time", "v3 overestimates meetings", 4000);
    expect(restored.id).toBe(v2.id);
    expect((await models.live("time"))?.id).toBe(v2.id);
    expect((await models.get(v3.id))?.note).toBe("rolled back: v3 overestimates meetings");

    expect((await models.rollback("time", "again", 5000)).id).toBe(v1.id);
    const error = await errorOf(models.rollback("time", "once more", 6000));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.hint).toContain("worklens models promote");
    expect((await models.live("time"))?.id).toBe(v1.id);
  });

  it("rollback without a live model fails", async () => {
    const error = await errorOf(handle.store.models.rollback("linking", "nothing there"));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("no live linking model to roll back");
  });

  it("setStatus leaves live models alone", async () => {
    const { models } = handle.store;
    const first = await models.add({ artifact: artifact("time") });
    await models.setStatus(first.id, "rejected", "manual review found a leak");
    expect((await models.get(first.id))?.status).toBe("rejected");
    await models.promote(first.id, "manual");
    expect((await errorOf(models.setStatus(first.id, "retired", "no"))).code).toBe("CONFLICT");
  });

  it("records drift history per kind", async () => {
    const { models } = handle.store;
    const live = await models.add({ artifact: artifact("time") });
    const window = { from: "2025-03-01", to: "2025-03-14" };
    const first = await models.recordDrift({ kind: "time", modelId: live.id, checkedAt: 2000, window, n: 30, error: 1200.5, baselineError: 900, drifted: true, action: "retrain_queued" });
    await models.recordDrift({ kind: "time", modelId: live.id, checkedAt: 1000, window, n: 25, error: 910, baselineError: 900, drifted: false, action: "none" });
    await models.recordDrift({ kind: "linking", modelId: null, checkedAt: 1500, window, n: 40, error: 0.2, baselineError: 0.18, drifted: false, action: "none" });
    await models.setDriftAction(first.id, "retrained");

    const history = await models.driftHistory("time");
    expect(history.map((d) => [d.checkedAt, d.drifted, d.action])).toEqual([
      [1000, false, "none"],
      [2000, true, "retrained"],
    ]);
    expect(history[1]?.error).toBe(1200.5);
    expect(await models.driftHistory()).toHaveLength(3);
  });

  it("rolls back with its transaction", async () => {
    const { store } = handle;
    const first = await store.models.add({ artifact: artifact("time") });
    await expect(
      store.transaction(async (tx) => {
        await tx.models.promote(first.id, "inside");
        throw new Error("write failed");
      }),
    ).rejects.toThrow("write failed");
    expect(await store.models.live("time")).toBeUndefined();
  });
});
