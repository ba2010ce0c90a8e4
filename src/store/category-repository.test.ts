import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { listCategoryRules, replaceCategoryRules, type CategoryRule } from "./category-repository.js";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";

const CAPEX: CategoryRule = { matchKind: "project", matchValue: "PROJ", category: "CapEx" };
const OPEX: CategoryRule = { matchKind: "label", matchValue: "maintenance", category: "OpEx" };
const BUGS: CategoryRule = { matchKind: "issue_type", matchValue: "Bug", category: "OpEx" };

describe.each(BACKENDS)("category rules on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("starts empty", async () => {
    expect(await listCategoryRules(handle.store)).toEqual([]);
  });

  it("replaces the list in order", async () => {
    const { store } = handle;
    expect(await replaceCategoryRules(store, [OPEX, CAPEX, BUGS], { actor: "admin", at: 1000 })).toEqual([OPEX, CAPEX, BUGS]);
    expect(await replaceCategoryRules(store, [BUGS, CAPEX], { actor: "person:3", at: 2000 })).toEqual([BUGS, CAPEX]);
    expect(await listCategoryRules(store)).toEqual([BUGS, CAPEX]);
    const positions = await store.db.selectFrom("category_rules").select(["position", "created_at"]).orderBy("position").execute();
    expect(positions.map((row) => [row.position, row.created_at])).toEqual([
      [1, 2000],
      [2, 2000],
    ]);

    expect(await replaceCategoryRules(store, [], { actor: "cli", at: 3000 })).toEqual([]);
    expect(await listCategoryRules(store)).toEqual([]);
  });

  it("audits each replacement", async () => {
    const { store } = handle;
    await replaceCategoryRules(store, [OPEX, CAPEX, BUGS], { actor: "admin", at: 1000 });
    await replaceCategoryRules(store, [], { actor: "cli", at: 2000 });
    const entries = await store.audit.list({ action: "categories.change" });
    expect(entries.map((e) => [e.at, e.actor, e.subject, e.details])).toEqual([
      [1000, "admin", null, { rules: 3, categories: 2 }],
      [2000, "cli", null, { rules: 0, categories: 0 }],
    ]);
  });

  it("keeps one whole list under concurrent replacements", async () => {
    const { store } = handle;
    const first = Array.from({ length: 40 }, (_, i): CategoryRule => ({ matchKind: "label", matchValue: `first-${String(i)}`, category: "A" }));
    const second = Array.from({ length: 40 }, (_, i): CategoryRule => ({ matchKind: "label", matchValue: `second-${String(i)}`, category: "B" }));
    await replaceCategoryRules(store, [CAPEX], { actor: "cli", at: 1000 });
    await Promise.all([replaceCategoryRules(store, first, { actor: "cli", at: 2000 }), replaceCategoryRules(store, second, { actor: "cli", at: 2000 })]);
    const stored = await listCategoryRules(store);
    expect([first, second]).toContainEqual(stored);
  });

  it("rejects a stored unknown match kind", async () => {
    const { store } = handle;
    await replaceCategoryRules(store, [CAPEX], { actor: "cli", at: 1000 });
    await sql`update category_rules set match_kind = 'component'`.execute(store.db);
    const error = await listCategoryRules(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).message).toBe('category rule at position 1 has the unknown match kind "component"');
  });
});
