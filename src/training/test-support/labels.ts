import { Random } from "../../bench/random.js";
import type { Store } from "../../store/store.js";
import { shiftDay } from "../windows.js";

export interface LabelSpec {
  /** First and last day, both included. */
  from: string;
  to: string;
  /** People reviewing each day; each gives one label per day. */
  people: number;
  /** Confirmed seconds for a suggestion of s seconds, before noise. */
  confirm: (suggested: number) => number;
  /** Uniform noise added to the confirmed seconds, ± this many seconds. */
  noiseSeconds?: number;
  seed?: number;
}

/**
 * Stores edited reviews with confirmed worklogs: for each day and person a
 * suggestion of 30 min to 4 h and the seconds `confirm` gives for it. People and the
 * issue are created on first use, so several calls can add more days.
 */
export async function seedLabels(store: Store, spec: LabelSpec): Promise<number> {
  const random = new Random(spec.seed ?? 7);
  await store.issues.upsert({ sourceId: "20001", key: "TIME-1", projectKey: "TIME", isSubtask: false, createdAt: Date.UTC(2024, 0, 1), text: { summary: "Time model labels", description: "", comments: "" } }, { assigneeId: null, reporterId: null });
  const issueId = (await store.issues.idsByKey()).get("TIME-1");
  if (issueId === undefined) throw new Error("issue TIME-1 was not stored");
  let count = 0;
  for (let p = 0; p < spec.people; p++) {
    const { personId } = await store.people.resolve({ source: "jira", externalId: `dev-${String(p)}`, displayName: `Developer ${String(p)}` });
    for (let day = spec.from; day <= spec.to; day = shiftDay(day, 1)) {
      const suggested = random.int(1800, 14_400);
      const noise = spec.noiseSeconds === undefined ? 0 : random.int(-spec.noiseSeconds, spec.noiseSeconds);
      const confirmed = Math.max(60, Math.round(spec.confirm(suggested) + noise));
      const startedAt = Date.parse(`${day}T09:00:00Z`);
      const worklogId = await store.worklogs.insertConfirmed({ issueId, personId, startedAt, tz: "UTC", day, seconds: confirmed, comment: "" });
      await store.reviews.insert({ personId, day, issueId, decision: "edited", suggestedSeconds: suggested, suggestedConfidence: 0.5, worklogId, decidedAt: startedAt + 3_600_000, decidedBy: "admin" });
      count++;
    }
  }
  return count;
}
