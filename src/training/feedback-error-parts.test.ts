import { describe, expect, it } from "vitest";
import { ticketDayError, type NamedSuggestion } from "../simulate/evaluate.js";
import type { TruthRow } from "../simulate/truth.js";
import { ticketDayErrorParts } from "./feedback-error-parts.js";

const DAY = "2024-04-01";
const truth: TruthRow[] = [
  { personEmail: "a@example.com", day: DAY, issueKey: "P-1", seconds: 3600 },
  { personEmail: "a@example.com", day: DAY, issueKey: "P-2", seconds: 1800 },
  { personEmail: "a@example.com", day: DAY, issueKey: null, seconds: 900 },
  { personEmail: "a@example.com", day: "2024-04-02", issueKey: "P-1", seconds: 600 },
];
const suggestions: NamedSuggestion[] = [
  { personId: 1, personEmail: "a@example.com", day: DAY, issueKey: "P-1", seconds: 2400 },
  { personId: 1, personEmail: "a@example.com", day: DAY, issueKey: "P-3", seconds: 1200 },
  { personId: 1, personEmail: "a@example.com", day: DAY, issueKey: null, seconds: 300 },
];

describe("ticketDayErrorParts", () => {
  it("splits the error into missed, false and mis-sized", () => {
    const parts = ticketDayErrorParts(suggestions, truth, [DAY]);

    // Three ticket-days: P-1 mis-sized by 1,200 s, P-2 missed (1,800 s), P-3 false (1,200 s).
    expect(parts.misSized).toEqual({ ticketDays: 1, minutes: 6.7 });
    expect(parts.missed).toEqual({ ticketDays: 1, minutes: 10 });
    expect(parts.falseLinks).toEqual({ ticketDays: 1, minutes: 6.7 });
  });

  it("adds up to the ticket-day error", () => {
    const parts = ticketDayErrorParts(suggestions, truth, [DAY, "2024-04-02"]);
    const error = ticketDayError(suggestions, truth, [DAY, "2024-04-02"]);

    expect(parts.missed.ticketDays + parts.falseLinks.ticketDays + parts.misSized.ticketDays).toBe(error.ticketDays);
    expect(parts.missed.minutes + parts.falseLinks.minutes + parts.misSized.minutes).toBeCloseTo(error.meanAbsoluteErrorSeconds / 60, 1);
  });
});
