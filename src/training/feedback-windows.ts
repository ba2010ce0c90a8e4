import { WorklensError } from "../domain/errors.js";
import { workingDays, type SimulationOptions } from "../simulate/options.js";
import type { DayWindow } from "./trainer.js";
import { shiftDay } from "./windows.js";

/** The feedback loop's split of the simulated working days. Every window includes both ends. */
export interface FeedbackWindows {
  simulated: DayWindow;
  /** The days people review; training and the gate's holdout use their labels. */
  corrected: DayWindow;
  /** The last `testDays` working days, where the error is measured before and after. */
  evaluation: DayWindow;
  evaluationDays: string[];
  /** The gate's options: its holdout is the last corrected days and its training window the corrected days before them, in calendar days. */
  gate: { today: string; holdoutDays: number; trainingDays: number; trainingFrom: string; trainingTo: string; holdoutFrom: string };
}

/** Share of the corrected working days the gate holds out when the caller passes no count. */
const HOLDOUT_SHARE = 0.25;

/**
 * Splits the working days of a simulation into corrected days and evaluation days,
 * and sets the gate's windows: it runs on the day after the last corrected day, so its
 * holdout ends there. Throws USAGE when too few days remain on either side.
 */
export function feedbackWindows(simulation: SimulationOptions, testDays: number, holdoutWorkingDays?: number): FeedbackWindows {
  const days = workingDays(simulation.start, simulation.days);
  if (!Number.isInteger(testDays) || testDays < 1 || testDays > days.length - 2) {
    throw new WorklensError("USAGE", `invalid test days ${String(testDays)}: expected a whole number from 1 to ${String(Math.max(1, days.length - 2))} with ${String(days.length)} simulated days`, "pass fewer --test-days or more --days, so that at least 2 working days are corrected");
  }
  const corrected = days.slice(0, days.length - testDays);
  const evaluationDays = days.slice(days.length - testDays);
  const held = holdoutWorkingDays ?? Math.max(1, Math.round(corrected.length * HOLDOUT_SHARE));
  if (!Number.isInteger(held) || held < 1 || held >= corrected.length) {
    throw new WorklensError("USAGE", `invalid holdout of ${String(held)} working days: expected a whole number from 1 to ${String(corrected.length - 1)} with ${String(corrected.length)} corrected days`, "hold out fewer days, or simulate more days");
  }

  const firstCorrected = corrected[0] ?? simulation.start;
  const lastCorrected = corrected[corrected.length - 1] ?? simulation.start;
  const holdoutFrom = corrected[corrected.length - held] ?? lastCorrected;
  const today = shiftDay(lastCorrected, 1);
  return {
    simulated: { from: firstCorrected, to: evaluationDays[evaluationDays.length - 1] ?? lastCorrected },
    corrected: { from: firstCorrected, to: lastCorrected },
    evaluation: { from: evaluationDays[0] ?? today, to: evaluationDays[evaluationDays.length - 1] ?? today },
    evaluationDays,
    gate: { today, holdoutDays: daysBetween(holdoutFrom, today), trainingDays: daysBetween(firstCorrected, holdoutFrom), trainingFrom: firstCorrected, trainingTo: shiftDay(holdoutFrom, -1), holdoutFrom },
  };
}

/** Calendar days from `from` to `to`, `to` excluded. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
