import { createHash } from "node:crypto";
import { z } from "zod";
import { invalidInput } from "../../domain/errors.js";
import { extractIssueKeys } from "../../domain/issue-keys.js";
import { isPlausibleInstant } from "../../domain/time.js";
import type { ActivityInput, ActivityMetrics, ActivityText, IdentityInput } from "../../domain/types.js";
import { emptyResult, type ParseResult } from "../parse-result.js";

export interface WakatimeParseOptions {
  /** File name used in messages. */
  file: string;
  /** The person who sent the heartbeats, because a bulk request has no user field. */
  person: IdentityInput;
  /** Value of the X-Machine-Name request header, if any. */
  machine?: string | undefined;
  /**
   * Value of the User-Agent request header, if any.
   * NOTE: ActivityInput has no field for the editor or plugin, so this is accepted but not kept.
   */
  userAgent?: string | undefined;
}

/** Skip reasons, identical for every record of one kind so reports can count them. */
export const WAKATIME_SKIP_REASONS = {
  notObject: "not a JSON object: each heartbeat must be an object",
  missingTime: "missing time: a heartbeat needs time in epoch seconds",
  timeNotNumber: "time is not a number: send epoch seconds as a JSON number",
  implausibleTime: "time is outside 1990-2100: check the clock of the machine that sent it",
  missingEntity: "missing entity: a heartbeat needs a non-empty entity (file path, app or domain)",
  /** Followed by the names of the fields, as in "...: lineno". */
  badField: "a known field has the wrong type (see the WakaTime heartbeat fields)",
} as const;

/**
 * Optional fields of a heartbeat as wakatime-cli sends them in a bulk request
 * (POST /api/v1/users/current/heartbeats.bulk). wakatime-cli sends null for values it
 * does not know. Fields that are not listed here, such as user_agent, are accepted
 * and ignored.
 */
const optionalFields = z.looseObject({
  type: z.string().nullish(),
  category: z.string().nullish(),
  project: z.string().nullish(),
  project_root_count: z.number().nullish(),
  branch: z.string().nullish(),
  language: z.string().nullish(),
  dependencies: z.array(z.string()).nullish(),
  lines: z.number().nullish(),
  line_additions: z.number().nullish(),
  line_deletions: z.number().nullish(),
  lineno: z.number().nullish(),
  cursorpos: z.number().nullish(),
  is_write: z.boolean().nullish(),
});

type OptionalFields = z.infer<typeof optionalFields>;

/** Entity type wakatime-cli uses when a heartbeat names none. */
const DEFAULT_ENTITY_TYPE = "file";

/**
 * Parse a JSON array of WakaTime heartbeats into one `ide_heartbeat` activity each.
 * Heartbeats carry no time zone, so each activity is in UTC. Throws invalidInput
 * when the bytes are not UTF-8 JSON or not an array. Bad heartbeats are skipped.
 */
export function parseWakatime(bytes: Uint8Array, options: WakatimeParseOptions): ParseResult<ActivityInput> {
  const body = readJsonArray(bytes, options.file);
  const result = emptyResult<ActivityInput>();

  body.forEach((item, index) => {
    const record = `heartbeats[${index}]`;
    const outcome = toActivity(item, options);
    if (typeof outcome === "string") result.skipped.push({ record, reason: outcome });
    else result.records.push(outcome);
  });
  return result;
}

function readJsonArray(bytes: Uint8Array, file: string): unknown[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw invalidInput(file, "is not valid UTF-8 text", "export the heartbeats as UTF-8 JSON", error);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidInput(
      file,
      "is not valid JSON (the file may be truncated)",
      "pass the JSON array of heartbeats exactly as sent to heartbeats.bulk",
      error,
    );
  }

  if (!Array.isArray(parsed)) {
    throw invalidInput(
      file,
      `contains a JSON ${parsed === null ? "null" : typeof parsed}, not an array of heartbeats`,
      "pass the request body of heartbeats.bulk: a JSON array of heartbeat objects",
    );
  }
  return parsed as unknown[];
}

/** Convert one heartbeat to an activity, or return the skip reason. */
function toActivity(item: unknown, options: WakatimeParseOptions): ActivityInput | string {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return WAKATIME_SKIP_REASONS.notObject;
  const raw = item as Record<string, unknown>;

  const time = raw["time"];
  if (time === undefined || time === null) return WAKATIME_SKIP_REASONS.missingTime;
  if (typeof time !== "number") return WAKATIME_SKIP_REASONS.timeNotNumber;
  const at = Math.round(time * 1000);
  if (!isPlausibleInstant(at)) return WAKATIME_SKIP_REASONS.implausibleTime;

  const entity = raw["entity"];
  if (typeof entity !== "string" || entity.trim() === "") return WAKATIME_SKIP_REASONS.missingEntity;

  const fields = optionalFields.safeParse(raw);
  if (!fields.success) {
    const names = [...new Set(fields.error.issues.map((issue) => issue.path.join(".")))].join(", ");
    return `${WAKATIME_SKIP_REASONS.badField}: ${names}`;
  }
  const heartbeat = fields.data;

  const type = heartbeat.type ?? DEFAULT_ENTITY_TYPE;
  const project = nonEmpty(heartbeat.project);
  const branch = nonEmpty(heartbeat.branch);
  const machine = nonEmpty(options.machine);

  return {
    sourceUid: heartbeatUid({ time, entity, type, heartbeat, machine, user: options.person.externalId }),
    source: "wakatime",
    kind: "ide_heartbeat",
    actor: options.person,
    startAt: at,
    endAt: at,
    tz: "UTC",
    dateOnly: false,
    project,
    machine,
    explicitKeys: explicitKeys(branch, project),
    metrics: metricsOf(heartbeat),
    text: textOf(entity, type, branch),
  };
}

/**
 * Source id of a heartbeat: a digest of the fields that tell two heartbeats apart.
 * Time keeps its fraction, so two heartbeats in the same second stay distinct. An
 * exact re-send from the same machine and user gets the same id and is a duplicate.
 */
function heartbeatUid(parts: {
  time: number;
  entity: string;
  type: string;
  heartbeat: OptionalFields;
  machine: string | undefined;
  user: string;
}): string {
  const key = [
    String(parts.time),
    parts.entity,
    parts.type,
    parts.heartbeat.category ?? "",
    parts.heartbeat.is_write === true ? "write" : "read",
    parts.machine ?? "",
    parts.user,
  ];
  const digest = createHash("sha256").update(JSON.stringify(key)).digest("base64url").slice(0, 32);
  return `wakatime:${digest}`;
}

function explicitKeys(branch: string | undefined, project: string | undefined): string[] {
  const keys = new Set<string>();
  for (const text of [branch, project]) {
    if (text === undefined) continue;
    for (const key of extractIssueKeys(text)) keys.add(key);
  }
  return [...keys];
}

function metricsOf(heartbeat: OptionalFields): ActivityMetrics {
  const metrics: ActivityMetrics = { isWrite: heartbeat.is_write === true };
  if (typeof heartbeat.line_additions === "number") metrics.linesAdded = heartbeat.line_additions;
  if (typeof heartbeat.line_deletions === "number") metrics.linesDeleted = heartbeat.line_deletions;
  return metrics;
}

/** Build the raw text: a file entity is a path, and an app, domain or url entity becomes the title. */
function textOf(entity: string, type: string, branch: string | undefined): ActivityText {
  const text: ActivityText = type === "file" ? { paths: entity } : { title: entity };
  if (branch !== undefined) text.branch = branch;
  return text;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.trim() === "" ? undefined : value;
}
