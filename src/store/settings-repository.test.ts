import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

describe.each(BACKENDS)("SettingsRepository on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("sets, replaces and gets values", async () => {
    const { settings } = handle.store;
    expect(await settings.get("training.max_age_days")).toBeUndefined();
    await settings.set("training.max_age_days", "7");
    await settings.set("training.max_age_days", "14");
    expect(await settings.get("training.max_age_days")).toBe("14");
  });

  it("secret is stable per name", async () => {
    const { settings } = handle.store;
    const [first, concurrent] = await Promise.all([settings.secret("embedding"), settings.secret("embedding")]);
    const again = await settings.secret("embedding");
    const other = await settings.secret("other");

    expect(first).toHaveLength(32);
    expect(concurrent.equals(first)).toBe(true);
    expect(again.equals(first)).toBe(true);
    expect(other.equals(first)).toBe(false);
    const stored = await settings.get("secret:embedding");
    expect(stored?.startsWith("wl1.t1.")).toBe(true);
    expect(stored).not.toContain(first.toString("base64"));
  });

  it("secret rejects a plain-text value", async () => {
    const { settings, db } = handle.store;
    await db.insertInto("settings").values({ key: "secret:embedding", value: "c2hvcnQ=" }).execute();
    await expect(settings.secret("embedding")).rejects.toThrow("settings.value of row secret:embedding is not encrypted: it was modified outside worklens");
  });

  it("secret rejects a short encrypted value", async () => {
    const { settings } = handle.store;
    await settings.set("secret:embedding", "c2hvcnQ=");
    expect((await settings.get("secret:embedding"))?.startsWith("wl1.t1.")).toBe(true);
    await expect(settings.secret("embedding")).rejects.toThrow("settings row secret:embedding does not contain a 32-byte base64 secret");
  });
});
