import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { teamCapacity, wholeWeeks } from "./team-capacity.js";
import { seedCapacityTeam, SEED_WEEK, type SeededTeam } from "./team-capacity-seed.js";

const HOUR = 3600;

async function errorOf(promise: Promise<unknown>): Promise<WorklensError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

describe("wholeWeeks", () => {
  it("widens a range to ISO weeks", () => {
    expect(wholeWeeks("2025-03-12", "2025-03-18")).toEqual({
      from: "2025-03-10",
      to: "2025-03-23",
      weeks: [
        { week: "2025-W11", from: "2025-03-10", to: "2025-03-16" },
        { week: "2025-W12", from: "2025-03-17", to: "2025-03-23" },
      ],
    });
    // 2024-12-30 is the Monday of ISO week 1 of 2025.
    expect(wholeWeeks("2025-01-01", "2025-01-01").weeks).toEqual([{ week: "2025-W01", from: "2024-12-30", to: "2025-01-05" }]);
    expect(() => wholeWeeks("2025-03-18", "2025-03-12")).toThrow("invalid range: 2025-03-12 is before 2025-03-18");
    expect(() => wholeWeeks("2025-02-30", "2025-03-12")).toThrow("invalid range 2025-02-30 to 2025-03-12: expected two dates as YYYY-MM-DD");
    expect(() => wholeWeeks("2024-01-01", "2025-03-12")).toThrow("range 2024-01-01 to 2025-03-12 covers 63 weeks, more than the maximum of 53");
  });
});

describe.each(BACKENDS)("teamCapacity on %s", (backend) => {
  let handle: TestStore;
  let seeded: SeededTeam;
  beforeEach(async () => {
    handle = await openTestStore(backend);
    seeded = await seedCapacityTeam(handle.store);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("computes a week with suppressed cells", async () => {
    const capacity = await teamCapacity(handle.store, { teamId: seeded.teamId, from: "2025-03-12", to: "2025-03-18", actor: "cli", now: 1000 });
    expect(capacity.team).toEqual({ id: seeded.teamId, name: "platform" });
    expect(capacity.minGroupSize).toBe(5);
    expect([capacity.from, capacity.to]).toEqual(["2025-03-10", "2025-03-23"]);

    const [first, second] = capacity.weeks;
    expect(first?.week).toBe("2025-W11");
    expect(first?.totals).toEqual({
      contributors: 6,
      // p1 32 h (out of office on Wednesday), p2 20 h, p3 24 h, p4 to p6 40 h each.
      committedSeconds: 196 * HOUR,
      suggestedSeconds: 20.5 * HOUR,
      confirmedSeconds: 4 * HOUR,
      byProject: { cells: [{ label: "PROJ", seconds: 12 * HOUR, people: 6 }], small: { label: "fewer than 5 people", seconds: 8.5 * HOUR, cells: 3 } },
      byEpic: { cells: [{ label: "PROJ-100", seconds: 12 * HOUR, people: 6 }], small: { label: "fewer than 5 people", seconds: 8.5 * HOUR, cells: 2 } },
      byIssueType: { cells: [{ label: "Bug", seconds: 12 * HOUR, people: 6 }], small: { label: "fewer than 5 people", seconds: 8.5 * HOUR, cells: 3 } },
      // Without rules every issue is "Uncategorized"; p1's unlinked half hour forces it into the bucket too.
      byCostCategory: { cells: [], small: { label: "fewer than 5 people", seconds: 20.5 * HOUR, cells: 2 } },
      byCategory: { cells: [{ label: "coding", seconds: 12 * HOUR, people: 6 }], small: { label: "fewer than 5 people", seconds: 8.5 * HOUR, cells: 2 } },
      linkedVersusUnlinked: { cells: [], small: { label: "fewer than 5 people", seconds: 20.5 * HOUR, cells: 2 } },
    });
    // Three people had time in the second week: no numbers at all.
    expect(second).toEqual({ week: "2025-W12", from: "2025-03-17", to: "2025-03-23", totals: null });
  });

  it("shows one person's cell at size 1", async () => {
    // Control: with a minimum group size of 1, p1's own three hours on OTHER are readable.
    await handle.store.settings.set("privacy.minGroupSize", "1");
    const capacity = await teamCapacity(handle.store, { teamId: seeded.teamId, ...SEED_WEEK, actor: "cli" });
    expect(capacity.weeks[0]?.totals?.byProject.cells).toContainEqual({ label: "OTHER", seconds: 3 * HOUR, people: 1 });
    expect(capacity.weeks[0]?.totals?.byProject.small).toBeNull();
  });

  it("rejects small teams and ranges", async () => {
    const { store } = handle;
    const person = seeded.people[5] ?? 0;
    await store.teams.removeMember(seeded.teamId, person);
    await store.teams.removeMember(seeded.teamId, seeded.people[4] ?? 0);
    const small = await errorOf(teamCapacity(store, { teamId: seeded.teamId, ...SEED_WEEK, actor: "cli" }));
    expect(small.code).toBe("CONFLICT");
    expect(small.message).toBe('team "platform" has fewer members than the minimum group size of 5, so it is not shown');
    expect(small.hint).toContain("setting privacy.minGroupSize");

    await store.teams.setMember(seeded.teamId, person, { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null });
    await store.teams.setMember(seeded.teamId, seeded.people[4] ?? 0, { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null });
    const quiet = await errorOf(teamCapacity(store, { teamId: seeded.teamId, from: "2025-03-17", to: "2025-03-23", actor: "cli" }));
    expect(quiet.message).toBe('team "platform" has fewer people with time from 2025-03-17 to 2025-03-23 than the minimum group size of 5, so it is not shown');
    const empty = await errorOf(teamCapacity(store, { teamId: seeded.teamId, from: "2025-04-07", to: "2025-04-13", actor: "cli" }));
    expect(empty.message).toBe('team "platform" has fewer people with time from 2025-04-07 to 2025-04-13 than the minimum group size of 5, so it is not shown');

    expect((await errorOf(teamCapacity(store, { teamId: 999, ...SEED_WEEK, actor: "cli" }))).code).toBe("NOT_FOUND");
  });

  it("audits each read", async () => {
    await teamCapacity(handle.store, { teamId: seeded.teamId, ...SEED_WEEK, actor: "person:7", now: 5000 });
    const entries = (await handle.store.audit.list({})).filter((e) => e.action === "read.team_capacity");
    expect(entries.map((e) => [e.at, e.actor, e.subject, e.details])).toEqual([[5000, "person:7", `team:${String(seeded.teamId)}`, { from: "2025-03-10", to: "2025-03-16", weeks: 1, weeksShown: 1 }]]);
  });
});
