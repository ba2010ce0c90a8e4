import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

describe.each(BACKENDS)("CheckpointRepository on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("returns undefined before the first set", async () => {
    expect(await handle.store.checkpoints.get("jira https://a", "search")).toBeUndefined();
  });

  it("replaces the value of one key only", async () => {
    const { checkpoints } = handle.store;
    await checkpoints.set("jira https://a", "search", "2025-03-01T00:00:00.000Z", 1);
    await checkpoints.set("jira https://a", "other", "x", 2);
    await checkpoints.set("jira https://a", "search", "2025-03-02T00:00:00.000Z", 3);

    expect(await checkpoints.get("jira https://a", "search")).toEqual({ value: "2025-03-02T00:00:00.000Z", updatedAt: 3 });
    expect(await checkpoints.get("jira https://a", "other")).toEqual({ value: "x", updatedAt: 2 });
  });

  it("rolls back with its transaction", async () => {
    const { store } = handle;
    await expect(
      store.transaction(async (tx) => {
        await tx.checkpoints.set("jira https://a", "search", "v", 1);
        throw new Error("write failed");
      }),
    ).rejects.toThrow("write failed");
    expect(await store.checkpoints.get("jira https://a", "search")).toBeUndefined();
  });
});
