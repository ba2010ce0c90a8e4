import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityInput } from "../../domain/types.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import type { WebhookParseResult } from "../webhooks/index.js";
import { MAX_DELIVERY_ID_LENGTH, takeActivityDelivery } from "./intake.js";

const NOW = Date.UTC(2025, 2, 12, 12);

function commit(sha: string): ActivityInput {
  return {
    sourceUid: `git:${sha}`,
    source: "git",
    kind: "commit",
    actor: { source: "git", externalId: "dev@example.com", email: "dev@example.com" },
    startAt: Date.UTC(2025, 2, 10, 8),
    endAt: Date.UTC(2025, 2, 10, 8),
    tz: "UTC+01:00",
    dateOnly: false,
    explicitKeys: ["PROJ-7"],
    text: { title: "PROJ-7 import" },
  };
}

function push(records: ActivityInput[], deliveryId: string | undefined): WebhookParseResult<ActivityInput> {
  return { status: "accepted", event: "push", deliveryId, records, skipped: [], warnings: [] };
}

describe.each(BACKENDS)("takeActivityDelivery on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("failed write keeps no delivery row", async () => {
    // A null zone violates the column's NOT NULL constraint, so the insert fails inside the transaction.
    const broken = { ...commit("a".repeat(40)), tz: null } as unknown as ActivityInput;
    await expect(takeActivityDelivery(handle.store, "github", push([commit("b".repeat(40)), broken], "delivery-1"), NOW)).rejects.toThrow();
    expect(await handle.store.webhooks.count("github")).toBe(0);
    expect(await handle.store.activities.count()).toBe(0);

    const retry = await takeActivityDelivery(handle.store, "github", push([commit("b".repeat(40)), commit("a".repeat(40))], "delivery-1"), NOW);
    expect(retry).toMatchObject({ status: "accepted", counts: { activities: 2, imported: 2, duplicate: 0 } });
    expect(await handle.store.webhooks.count("github")).toBe(1);
  });

  it("repeated commit in one payload counts once", async () => {
    const outcome = await takeActivityDelivery(handle.store, "gitlab", push([commit("c".repeat(40)), commit("c".repeat(40))], "delivery-2"), NOW);
    expect(outcome).toMatchObject({ status: "accepted", counts: { activities: 2, imported: 1, duplicate: 1 } });
  });

  it("delivery without id is written twice", async () => {
    const first = await takeActivityDelivery(handle.store, "github", push([commit("d".repeat(40))], undefined), NOW);
    const second = await takeActivityDelivery(handle.store, "github", push([commit("d".repeat(40))], undefined), NOW);
    expect(first).toMatchObject({ status: "accepted", counts: { imported: 1 } });
    expect(second).toMatchObject({ status: "accepted", counts: { imported: 0, duplicate: 1 } });
    expect(await handle.store.webhooks.count("github")).toBe(0);
  });

  it("same id from two vendors is two deliveries", async () => {
    await takeActivityDelivery(handle.store, "github", push([commit("e".repeat(40))], "shared-id"), NOW);
    const gitlab = await takeActivityDelivery(handle.store, "gitlab", push([commit("f".repeat(40))], "shared-id"), NOW);
    expect(gitlab.status).toBe("accepted");
  });

  it("overlong delivery id is invalid", async () => {
    const outcome = await takeActivityDelivery(handle.store, "github", push([commit("1".repeat(40))], "x".repeat(MAX_DELIVERY_ID_LENGTH + 1)), NOW);
    expect(outcome.status).toBe("invalid");
    expect(await handle.store.activities.count()).toBe(0);
  });
});
