import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { applyMappingFile } from "./mapping.js";

describe.each(BACKENDS)("mapping file on %s", (backend) => {
  let handle: TestStore;
  let folder: string;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    folder = mkdtempSync(join(tmpdir(), "worklens-mapping-"));
  });
  afterEach(async () => {
    await handle.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("joins identities that automatic matching kept apart", async () => {
    await handle.store.people.resolve({ source: "git", externalId: "dev@old.example", email: "dev@old.example", displayName: "D. One" });
    await handle.store.people.resolve({ source: "jira", externalId: "acc-1", email: "dev@new.example", displayName: "Dev One" });
    expect(await handle.store.people.list()).toHaveLength(2);

    const file = join(folder, "people.json");
    writeFileSync(file, JSON.stringify({ people: [{ tz: "Europe/Berlin", identities: [{ source: "git", id: "dev@old.example" }, { source: "jira", id: "acc-1" }, { source: "ics", id: "nobody@example.com" }] }] }));
    const result = await applyMappingFile(handle.store, file);

    expect(result.applied).toBe(1);
    expect(result.merged).toBe(1);
    expect(result.skipped).toEqual([{ record: "people[0]", reason: "identity ics:nobody@example.com not found: import its data first" }]);
    const people = await handle.store.people.list();
    expect(people).toHaveLength(1);
    expect(people[0]?.tz).toBe("Europe/Berlin");
    expect(people[0]?.identities).toHaveLength(2);
  });

  it("rejects an invalid file and changes nothing", async () => {
    await handle.store.people.resolve({ source: "git", externalId: "a@example.com", email: "a@example.com" });
    const file = join(folder, "bad.json");
    writeFileSync(file, JSON.stringify({ people: [{ tz: "Mars/Base", identities: [{ source: "git", id: "a@example.com" }] }] }));
    await expect(applyMappingFile(handle.store, file)).rejects.toThrow(/people\.0\.tz: not an IANA time zone/);
    expect((await handle.store.people.list())[0]?.tz).toBeNull();
  });
});
