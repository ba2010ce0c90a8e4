import { RETENTION_CLASSES, RETENTION_SETTING, parseRetentionPolicy, type RetentionClass, type RetentionPolicy } from "../privacy/retention.js";
import type { Store } from "../store/store.js";

/** Reads the retention policy from the settings, with defaults for the classes it leaves out. */
export async function readRetentionPolicy(store: Store): Promise<RetentionPolicy> {
  return parseRetentionPolicy(await store.settings.get(RETENTION_SETTING), `settings row "${RETENTION_SETTING}"`);
}

/**
 * Sets the days kept for one class (null keeps it forever), stores the whole policy and
 * appends a "settings.change" audit entry with the old and new period, in one transaction.
 */
export async function setRetentionDays(store: Store, dataClass: RetentionClass, days: number | null, audit: { actor: string; at: number }): Promise<RetentionPolicy> {
  return store.transaction(async (tx) => {
    const current = parseRetentionPolicy(await tx.settings.get(RETENTION_SETTING), `settings row "${RETENTION_SETTING}"`);
    const next: RetentionPolicy = { ...current, [dataClass]: days };
    // Every class is written out, so a later change of a default does not silently change a stored policy.
    const stored = Object.fromEntries(RETENTION_CLASSES.map((name) => [name, next[name]]));
    await tx.settings.set(RETENTION_SETTING, JSON.stringify(stored));
    await tx.audit.append({ at: audit.at, actor: audit.actor, action: "settings.change", subject: null, details: { setting: RETENTION_SETTING, dataClass, from: current[dataClass], to: days } });
    return next;
  });
}
