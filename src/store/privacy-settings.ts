import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { collectionPolicySchema, type CollectionPolicy } from "../privacy/collection.js";
import type { Repositories } from "./store.js";

/**
 * Typed access to the privacy settings, stored as JSON in the `settings` table. Readers get
 * the default when a setting was never written. Writers validate, store and append one
 * "settings.change" audit entry naming the setting and, for the collection policy, the
 * changed fields (never the values, which may name repositories).
 */

/** How far worklens's models may act for a team: rules only, suggestions people confirm, or automatic. */
export const TEAM_AI_MODES = ["off", "feedback", "automatic"] as const;
export type TeamAiMode = (typeof TEAM_AI_MODES)[number];

export const PRIVACY_SETTING_KEYS = {
  collection: "privacy.collection",
  minGroupSize: "privacy.minGroupSize",
  defaultAiMode: "privacy.defaultAiMode",
} as const;

/** Smallest group whose aggregates a manager may see, unless an admin sets another. */
export const DEFAULT_MIN_GROUP_SIZE = 5;
export const DEFAULT_AI_MODE: TeamAiMode = "feedback";

export const minGroupSizeSchema = z.number().int().min(1).max(1000);
const aiModeSchema = z.enum(TEAM_AI_MODES);

/** Who changed a setting, as the audit log names actors: "admin", "cli", "system" or "person:<id>". */
export interface SettingChange {
  actor: string;
  /** Epoch milliseconds; defaults to now. */
  at?: number;
}

export async function getCollectionPolicy(repositories: Repositories): Promise<CollectionPolicy> {
  return readSetting(repositories, PRIVACY_SETTING_KEYS.collection, collectionPolicySchema, {});
}

/**
 * Validates and stores a collection policy. Fields left out take their defaults, so a partial
 * object such as `{ git: { paths: false } }` is a complete policy. Returns the stored policy.
 */
export async function setCollectionPolicy(repositories: Repositories, policy: unknown, change: SettingChange): Promise<CollectionPolicy> {
  const parsed = validate(PRIVACY_SETTING_KEYS.collection, collectionPolicySchema, policy);
  const previous = await getCollectionPolicy(repositories);
  // The audit entry names the changed fields only: the repository allowlist may name private projects.
  await writeSetting(repositories, PRIVACY_SETTING_KEYS.collection, parsed, change, { changed: changedFields(previous, parsed) });
  return parsed;
}

export async function getMinGroupSize(repositories: Repositories): Promise<number> {
  return readSetting(repositories, PRIVACY_SETTING_KEYS.minGroupSize, minGroupSizeSchema, DEFAULT_MIN_GROUP_SIZE);
}

export async function setMinGroupSize(repositories: Repositories, size: unknown, change: SettingChange): Promise<number> {
  const parsed = validate(PRIVACY_SETTING_KEYS.minGroupSize, minGroupSizeSchema, size);
  await writeSetting(repositories, PRIVACY_SETTING_KEYS.minGroupSize, parsed, change);
  return parsed;
}

export async function getDefaultAiMode(repositories: Repositories): Promise<TeamAiMode> {
  return readSetting(repositories, PRIVACY_SETTING_KEYS.defaultAiMode, aiModeSchema, DEFAULT_AI_MODE);
}

export async function setDefaultAiMode(repositories: Repositories, mode: unknown, change: SettingChange): Promise<TeamAiMode> {
  const parsed = validate(PRIVACY_SETTING_KEYS.defaultAiMode, aiModeSchema, mode);
  await writeSetting(repositories, PRIVACY_SETTING_KEYS.defaultAiMode, parsed, change);
  return parsed;
}

/**
 * Reads one JSON setting and validates it. A missing row gives `fallback` (parsed, so schema
 * defaults apply). A stored value that is not valid JSON or fails the schema is a STORE error,
 * because silently using the default could collect more than an admin allowed.
 */
export async function readSetting<S extends z.ZodType>(repositories: Repositories, key: string, schema: S, fallback: z.input<S>): Promise<z.output<S>> {
  const stored = await repositories.settings.get(key);
  if (stored === undefined) return schema.parse(fallback);

  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch (error) {
    throw new WorklensError("STORE", `setting ${key} is not valid JSON`, `set it again, for example with: worklens privacy collection set`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new WorklensError("STORE", `setting ${key} is invalid: ${describeIssues(result.error)}`, "set it again with a valid value");
  }
  return result.data;
}

/** Validates a value for a setting, throwing INVALID_INPUT that names each wrong field. */
export function validate<S extends z.ZodType>(key: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new WorklensError("INVALID_INPUT", `invalid value for setting ${key}: ${describeIssues(result.error)}`, "correct the named fields and try again");
  }
  return result.data;
}

/**
 * Stores a validated value as JSON and appends the "settings.change" audit entry. Pass a
 * transaction's repositories (`store.transaction(...)`) to make both land together.
 */
export async function writeSetting(repositories: Repositories, key: string, value: unknown, change: SettingChange, details: Record<string, unknown> = {}): Promise<void> {
  await repositories.settings.set(key, JSON.stringify(value));
  await repositories.audit.append({ at: change.at ?? Date.now(), actor: change.actor, action: "settings.change", subject: null, details: { setting: key, ...details } });
}

/** Dotted names of the fields whose values differ, such as "git.paths" or "repositories". */
export function changedFields(before: unknown, after: unknown, prefix = ""): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isObject(before) || !isObject(after)) {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    return [prefix === "" ? "value" : prefix];
  }
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((name) => changedFields(before[name], after[name], prefix === "" ? name : `${prefix}.${name}`));
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length === 0 ? "value" : issue.path.join(".")}: ${issue.message}`).join("; ");
}
