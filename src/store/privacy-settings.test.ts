import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { changedFields, getDefaultAiMode, getMinGroupSize, setDefaultAiMode, setMinGroupSize } from "./privacy-settings.js";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

describe.each(BACKENDS)("privacy settings on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("defaults when unset", async () => {
    expect(await getMinGroupSize(handle.store)).toBe(5);
    expect(await getDefaultAiMode(handle.store)).toBe("feedback");
  });

  it("stores, reads and audits", async () => {
    await handle.store.transaction(async (tx) => {
      await setMinGroupSize(tx, 8, { actor: "admin", at: 1000 });
      await setDefaultAiMode(tx, "off", { actor: "admin", at: 2000 });
    });

    expect(await getMinGroupSize(handle.store)).toBe(8);
    expect(await getDefaultAiMode(handle.store)).toBe("off");
    expect(await handle.store.settings.get("privacy.minGroupSize")).toBe("8");
    const entries = await handle.store.audit.list();
    expect(entries.map((e) => [e.at, e.actor, e.action, e.details])).toEqual([
      [1000, "admin", "settings.change", { setting: "privacy.minGroupSize" }],
      [2000, "admin", "settings.change", { setting: "privacy.defaultAiMode" }],
    ]);
  });

  it("rejects invalid values", async () => {
    const small = await setMinGroupSize(handle.store, 0, { actor: "admin" }).catch((error: unknown) => error);
    const mode = await setDefaultAiMode(handle.store, "always", { actor: "admin" }).catch((error: unknown) => error);

    expect(small).toBeInstanceOf(WorklensError);
    expect((small as WorklensError).message).toBe("invalid value for setting privacy.minGroupSize: value: Too small: expected number to be >=1");
    expect((mode as WorklensError).message).toContain('invalid value for setting privacy.defaultAiMode: value: Invalid option: expected one of "off"|"feedback"|"automatic"');
    expect(await handle.store.audit.list()).toEqual([]);
  });
});

describe("changedFields", () => {
  it("names nested changes", () => {
    expect(changedFields({ a: { b: 1, c: 2 }, d: null }, { a: { b: 1, c: 3 }, d: ["x"] })).toEqual(["a.c", "d"]);
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
