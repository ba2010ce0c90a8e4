import { Random } from "../bench/random.js";
import { truthKey, type TruthRow } from "./truth.js";

/** A suggestion to decide on, named the way the truth names people and issues. */
export interface CorrectionInput {
  /** Stored person id, passed through to the decision when known. */
  personId?: number | undefined;
  personEmail: string;
  day: string;
  issueKey: string | null;
  seconds: number;
}

export type CorrectionAction = "accept" | "edit" | "reject";

export interface CorrectionDecision {
  personId: number | undefined;
  personEmail: string;
  day: string;
  issueKey: string | null;
  action: CorrectionAction;
  /** Seconds the person logs: the suggestion's on accept, the corrected value on edit, 0 on reject. */
  seconds: number;
  /** True seconds of this person, day and issue, for evaluation. */
  trueSeconds: number;
}

export interface CorrectionOptions {
  seed: number;
  /** Share of suggestions a person reviews at all, from 0 to 1; the others get no decision. */
  share: number;
}

export const DEFAULT_CORRECTION_OPTIONS: CorrectionOptions = { seed: 1, share: 0.6 };

/** A suggestion within 15 minutes or 10 % of the truth, whichever is larger, is accepted unchanged. */
export const ACCEPT_WITHIN_SECONDS = 15 * 60;
export const ACCEPT_WITHIN_SHARE = 0.1;
/** Edits round the truth to 15 minutes, as people log time; work under 7.5 minutes still logs 15 minutes. */
export const EDIT_ROUNDING_SECONDS = 15 * 60;

/**
 * Decides, for a share of `suggestions`, what the simulated person would do with each.
 * A suggestion on an issue (or on no issue) with no true time is rejected, one close
 * to the truth is accepted, and the others are edited to the truth rounded to 15
 * minutes. Which suggestions are reviewed depends only on the seed and the
 * suggestion's person, day and issue, so the input order does not change the decisions.
 */
export function simulateCorrections(suggestions: readonly CorrectionInput[], truth: readonly TruthRow[], options: Partial<CorrectionOptions> = {}): CorrectionDecision[] {
  const { seed, share } = { ...DEFAULT_CORRECTION_OPTIONS, ...options };
  if (!(share >= 0 && share <= 1)) throw new RangeError(`invalid share ${share}: expected a number from 0 to 1`);
  const trueSeconds = new Map<string, number>();
  for (const row of truth) {
    const key = truthKey(row.personEmail, row.day, row.issueKey);
    trueSeconds.set(key, (trueSeconds.get(key) ?? 0) + row.seconds);
  }

  const root = new Random(seed);
  const decisions: CorrectionDecision[] = [];
  for (const suggestion of suggestions) {
    const key = truthKey(suggestion.personEmail, suggestion.day, suggestion.issueKey);
    if (!root.fork(`review:${key}`).chance(share)) continue;
    const actual = trueSeconds.get(key) ?? 0;
    decisions.push({
      personId: suggestion.personId,
      personEmail: suggestion.personEmail,
      day: suggestion.day,
      issueKey: suggestion.issueKey,
      ...decide(suggestion.seconds, actual),
      trueSeconds: actual,
    });
  }
  return decisions;
}

function decide(suggested: number, actual: number): { action: CorrectionAction; seconds: number } {
  if (actual <= 0) return { action: "reject", seconds: 0 };
  if (Math.abs(suggested - actual) <= Math.max(ACCEPT_WITHIN_SECONDS, ACCEPT_WITHIN_SHARE * actual)) return { action: "accept", seconds: suggested };
  const rounded = Math.max(EDIT_ROUNDING_SECONDS, Math.round(actual / EDIT_ROUNDING_SECONDS) * EDIT_ROUNDING_SECONDS);
  return { action: "edit", seconds: rounded };
}
