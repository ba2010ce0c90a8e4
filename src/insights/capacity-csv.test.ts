import { describe, expect, it } from "vitest";
import type { SuppressedBreakdown } from "../privacy/min-group.js";
import { capacityCsv, capacityCsvFileName } from "./capacity-csv.js";
import type { CapacityWeek, TeamCapacity } from "./team-capacity.js";

const EMPTY: SuppressedBreakdown = { cells: [], small: null };

function week(name: string, from: string, to: string, byCostCategory: SuppressedBreakdown | null): CapacityWeek {
  if (byCostCategory === null) return { week: name, from, to, totals: null };
  return {
    week: name,
    from,
    to,
    totals: {
      contributors: 5,
      committedSeconds: 144_000,
      suggestedSeconds: 3_600,
      confirmedSeconds: 0,
      byProject: EMPTY,
      byEpic: EMPTY,
      byIssueType: EMPTY,
      byCostCategory,
      byCategory: EMPTY,
      linkedVersusUnlinked: EMPTY,
    },
  };
}

const CAPACITY: TeamCapacity = {
  team: { id: 4, name: "platform" },
  minGroupSize: 5,
  from: "2025-03-03",
  to: "2025-03-23",
  weeks: [
    week("2025-W10", "2025-03-03", "2025-03-09", { cells: [{ label: "=HYPERLINK(\"x\")", seconds: 5_400, people: 5 }, { label: "R&D, tools", seconds: 1_800, people: 6 }], small: null }),
    week("2025-W11", "2025-03-10", "2025-03-16", EMPTY),
    week("2025-W12", "2025-03-17", "2025-03-23", null),
  ],
};

describe("capacityCsv", () => {
  it("quotes and escapes group names", () => {
    // A category that starts like a formula must not run in a spreadsheet; a comma needs quotes.
    expect(capacityCsv(CAPACITY, "costCategory").split("\n").slice(1, 3)).toEqual([
      `2025-W10,2025-03-03,2025-03-09,"'=HYPERLINK(""x"")",1.50,5,`,
      `2025-W10,2025-03-03,2025-03-09,"R&D, tools",0.50,6,`,
    ]);
  });

  it("explains weeks without numbers", () => {
    expect(capacityCsv(CAPACITY, "costCategory").split("\n").slice(3)).toEqual([
      "2025-W11,2025-03-10,2025-03-16,,,,no suggested time this week",
      "2025-W12,2025-03-17,2025-03-23,,,,not shown: fewer than 5 people had time this week",
      "",
    ]);
  });

  it("writes commitment per week", () => {
    expect(capacityCsv(CAPACITY, "commitment").split("\n")).toEqual([
      "week,from,to,committed_hours,suggested_hours,confirmed_hours,people,note",
      "2025-W10,2025-03-03,2025-03-09,40.00,1.00,0.00,5,",
      "2025-W11,2025-03-10,2025-03-16,40.00,1.00,0.00,5,",
      "2025-W12,2025-03-17,2025-03-23,,,,,not shown: fewer than 5 people had time this week",
      "",
    ]);
  });

  it("names the file by team, breakdown and range", () => {
    expect(capacityCsvFileName(CAPACITY, "workKind")).toBe("capacity-4-workKind-2025-03-03-2025-03-23.csv");
  });
});
