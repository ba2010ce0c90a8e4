import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { readSetting, validate, writeSetting, type SettingChange } from "../store/privacy-settings.js";
import type { Repositories, Store } from "../store/store.js";
import { acceptSuggestion, MIN_WORKLOG_SECONDS } from "./decide.js";

/** Setting: the confidence from which suggestions of people in "automatic" teams are accepted for them, a JSON number. */
export const AUTO_ACCEPT_SETTING = "privacy.autoAcceptMinConfidence";
export const DEFAULT_AUTO_ACCEPT_MIN_CONFIDENCE = 0.8;

export const minConfidenceSchema = z.number().gt(0).max(1);

/** Actor recorded on decisions and audit entries made by the automatic AI mode. */
export const SYSTEM_ACTOR = "system";

export async function getAutoAcceptMinConfidence(repositories: Repositories): Promise<number> {
  return readSetting(repositories, AUTO_ACCEPT_SETTING, minConfidenceSchema, DEFAULT_AUTO_ACCEPT_MIN_CONFIDENCE);
}

/** Validates and stores the threshold, auditing the change as "settings.change". */
export async function setAutoAcceptMinConfidence(repositories: Repositories, value: unknown, change: SettingChange): Promise<number> {
  const parsed = validate(AUTO_ACCEPT_SETTING, minConfidenceSchema, value);
  await writeSetting(repositories, AUTO_ACCEPT_SETTING, parsed, change);
  return parsed;
}

export interface AutoAcceptReport {
  accepted: number;
  /** Pending linked suggestions of automatic people left for them to review because their confidence is below the threshold. */
  belowThreshold: number;
}

/**
 * Accepts, for each person in `people`, every pending linked suggestion from `from` to `to`
 * whose confidence is at least the threshold. Each accept goes through the review service
 * with the actor "system", so the person can undo it like their own, and is audited as
 * "review.auto_accept". Decided suggestions stay as they are: a person who undid and then
 * rejected or edited one keeps their decision.
 *
 * NOTE: between an undo and the person's next decision the suggestion is pending again,
 * so a pipeline run in that gap accepts it once more.
 */
export async function autoAcceptConfident(
  store: Store,
  people: ReadonlySet<number>,
  range: { from: string; to: string },
  now: number = Date.now(),
): Promise<AutoAcceptReport> {
  const report: AutoAcceptReport = { accepted: 0, belowThreshold: 0 };
  if (people.size === 0) return report;
  const threshold = await getAutoAcceptMinConfidence(store);
  const suggestions = (await store.results.suggestions(range.from, range.to)).filter((s) => people.has(s.personId) && s.issueId !== null);
  for (const suggestion of suggestions) {
    if (suggestion.confidence < threshold) {
      report.belowThreshold += 1;
      continue;
    }
    if (suggestion.seconds < MIN_WORKLOG_SECONDS) continue;
    const ref = { personId: suggestion.personId, day: suggestion.day, issueId: suggestion.issueId };
    if ((await store.reviews.find(ref.personId, ref.day, ref.issueId)) !== undefined) continue;
    try {
      const { worklogId } = await acceptSuggestion(store, ref, {}, { decidedBy: SYSTEM_ACTOR, now });
      await store.audit.append({
        at: now,
        actor: SYSTEM_ACTOR,
        action: "review.auto_accept",
        subject: `person:${String(ref.personId)}`,
        details: { day: ref.day, issueId: ref.issueId, worklogId, confidence: suggestion.confidence, threshold },
      });
      report.accepted += 1;
    } catch (error) {
      // A person or another run decided it between the check and the write.
      if (!(error instanceof WorklensError && error.code === "CONFLICT")) throw error;
    }
  }
  return report;
}
