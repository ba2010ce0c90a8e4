import { describe, expect, it } from "vitest";
import { simulateCorrections, type CorrectionInput } from "./corrections.js";
import type { TruthRow } from "./truth.js";

const ADA = "ada@example.org";
const TRUTH: TruthRow[] = [
  { personEmail: ADA, day: "2024-03-18", issueKey: "WEB-1", seconds: 7200 },
  { personEmail: ADA, day: "2024-03-18", issueKey: "WEB-2", seconds: 1200 },
  { personEmail: ADA, day: "2024-03-18", issueKey: null, seconds: 1800 },
];

function suggestion(issueKey: string | null, seconds: number): CorrectionInput {
  return { personId: 1, personEmail: ADA, day: "2024-03-18", issueKey, seconds };
}

describe("simulateCorrections", () => {
  it.each([
    ["accepts within 15 minutes", suggestion("WEB-2", 1800), "accept", 1800],
    ["accepts within 10 %", suggestion("WEB-1", 7800), "accept", 7800],
    ["edits to truth in quarters", suggestion("WEB-1", 3600), "edit", 7200],
    ["edits small truth to 15 min", suggestion("WEB-2", 4000), "edit", 900],
    ["rejects issue without truth", suggestion("WEB-9", 3600), "reject", 0],
    ["accepts unlinked time", suggestion(null, 1500), "accept", 1500],
  ] as const)("%s", (_name, input, action, seconds) => {
    const [decision] = simulateCorrections([input], TRUTH, { share: 1 });
    expect(decision?.action).toBe(action);
    expect(decision?.seconds).toBe(seconds);
    expect(decision?.personId).toBe(1);
  });

  it("rounds the truth to 15 minutes", () => {
    const truth: TruthRow[] = [{ personEmail: ADA, day: "2024-03-18", issueKey: "WEB-3", seconds: 5000 }];
    const [decision] = simulateCorrections([suggestion("WEB-3", 9000)], truth, { share: 1 });
    expect(decision?.seconds).toBe(5400);
    expect(decision?.trueSeconds).toBe(5000);
  });

  it("reviews a share, same for a seed", () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...suggestion("WEB-1", 7200), day: `2024-03-${String(1 + (i % 28)).padStart(2, "0")}`, issueKey: `WEB-${i + 1}` }));
    const first = simulateCorrections(many, TRUTH, { seed: 9, share: 0.5 });
    const again = simulateCorrections([...many].reverse(), TRUTH, { seed: 9, share: 0.5 });
    const other = simulateCorrections(many, TRUTH, { seed: 10, share: 0.5 });
    expect(first.length).toBeGreaterThan(150);
    expect(first.length).toBeLessThan(250);
    expect(new Set(again.map((d) => `${d.day}|${d.issueKey ?? ""}`))).toEqual(new Set(first.map((d) => `${d.day}|${d.issueKey ?? ""}`)));
    expect(other.map((d) => d.issueKey)).not.toEqual(first.map((d) => d.issueKey));
  });

  it("rejects an invalid share", () => {
    expect(() => simulateCorrections([], TRUTH, { share: 1.5 })).toThrow(/invalid share 1.5/);
  });
});
