import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replaceCategoryRules } from "../store/category-repository.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { teamCapacity } from "./team-capacity.js";
import { seedCapacityTeam, SEED_WEEK, type SeededTeam } from "./team-capacity-seed.js";

const HOUR = 3600;
const SMALL = "fewer than 5 people";

/**
 * The seeded week 2025-W11 has PROJ-1 (project PROJ, Bug) 2 h for all six people, WEB-1
 * (project WEB, Story) 1 h for five, OTHER-1 (project OTHER, Task) 3 h and 30 min of
 * unlinked time for p1 alone.
 */
describe.each(BACKENDS)("capacity by cost category on %s", (backend) => {
  let handle: TestStore;
  let seeded: SeededTeam;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    seeded = await seedCapacityTeam(handle.store);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  async function costCategories() {
    const capacity = await teamCapacity(handle.store, { teamId: seeded.teamId, ...SEED_WEEK, actor: "cli" });
    return capacity.weeks[0]?.totals?.byCostCategory;
  }

  it("sums time by the first matching rule", async () => {
    await replaceCategoryRules(
      handle.store,
      [
        { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
        { matchKind: "issue_type", matchValue: "story", category: "OpEx" },
        { matchKind: "issue_type", matchValue: "Bug", category: "Never" },
      ],
      { actor: "cli", at: 1000 },
    );
    // OTHER-1 matches no rule and the unlinked time has no issue: both are p1's alone, so they
    // are merged, together with OpEx, the smallest shown cell, until the bucket has 5 people.
    expect(await costCategories()).toEqual({ cells: [{ label: "CapEx", seconds: 12 * HOUR, people: 6 }], small: { label: SMALL, seconds: 8.5 * HOUR, cells: 3 } });

    await handle.store.settings.set("privacy.minGroupSize", "1");
    expect(await costCategories()).toEqual({
      cells: [
        { label: "CapEx", seconds: 12 * HOUR, people: 6 },
        { label: "OpEx", seconds: 5 * HOUR, people: 5 },
        { label: "Uncategorized", seconds: 3 * HOUR, people: 1 },
        { label: "unlinked", seconds: 0.5 * HOUR, people: 1 },
      ],
      small: null,
    });
  });

  it("matches stored Jira labels", async () => {
    // Re-importing WEB-1 with a label updates the stored issue.
    await handle.store.issues.upsert(
      { sourceId: "30001", key: "WEB-1", projectKey: "WEB", issueType: "Story", labels: ["capex"], isSubtask: false, createdAt: Date.UTC(2025, 0, 1), text: { summary: "WEB-1", description: "", comments: "" } },
      { assigneeId: null, reporterId: null },
    );
    await replaceCategoryRules(
      handle.store,
      [
        { matchKind: "label", matchValue: "capex", category: "CapEx" },
        { matchKind: "epic", matchValue: "PROJ-100", category: "CapEx" },
      ],
      { actor: "cli", at: 1000 },
    );
    await handle.store.settings.set("privacy.minGroupSize", "1");
    expect(await costCategories()).toEqual({
      cells: [
        { label: "CapEx", seconds: 17 * HOUR, people: 6 },
        { label: "Uncategorized", seconds: 3 * HOUR, people: 1 },
        { label: "unlinked", seconds: 0.5 * HOUR, people: 1 },
      ],
      small: null,
    });
  });

  it("counts everything as Uncategorized without rules", async () => {
    await handle.store.settings.set("privacy.minGroupSize", "1");
    expect(await costCategories()).toEqual({
      cells: [
        { label: "Uncategorized", seconds: 20 * HOUR, people: 6 },
        { label: "unlinked", seconds: 0.5 * HOUR, people: 1 },
      ],
      small: null,
    });
  });
});
