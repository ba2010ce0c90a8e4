import { readFileSync } from "node:fs";
import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { integrationsSchema } from "../integrations/config.js";
import { formatIssues } from "./errors.js";

export const DEFAULT_HOST = "127.0.0.1";
/** Default port: free of the common development ports, and not WakaTime's or Wakapi's (3000). */
export const DEFAULT_PORT = 8377;
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const webhookSecret = z.string().min(16, "must be at least 16 characters: generate one with `openssl rand -hex 32` and set the same value on the webhook");

/**
 * Settings of `worklens serve`, parsed once at start-up and then frozen.
 * Durations are in the unit their name gives.
 */
const serverConfigSchema = z.strictObject({
  host: z.string().min(1).default(DEFAULT_HOST),
  port: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** Bearer token for /api/admin routes; those routes do not exist without it. */
  adminToken: z.string().min(32, "must be at least 32 characters: generate one with `openssl rand -hex 32`").optional(),
  bodyLimitBytes: z.coerce.number().int().positive().default(DEFAULT_BODY_LIMIT_BYTES),
  rateLimit: z
    .strictObject({
      /** Requests per key (or per client address before authentication) in one window. */
      max: z.coerce.number().int().positive().default(300),
      windowSeconds: z.coerce.number().int().positive().default(60),
    })
    .prefault({}),
  /** Failed logins one client address may make in a window before every request from it gets 429. */
  loginLimit: z
    .strictObject({
      maxFailures: z.coerce.number().int().positive().default(10),
      windowSeconds: z.coerce.number().int().positive().default(300),
    })
    .prefault({}),
  /** Lifetimes of web UI sign-in sessions. */
  sessions: z
    .strictObject({
      /** A session unused for this many minutes ends. */
      idleMinutes: z.coerce.number().int().positive().default(60),
      /** A session ends this many hours after sign-in, used or not. */
      maxHours: z.coerce.number().int().positive().max(24 * 366).default(12),
    })
    .prefault({}),
  heartbeats: z
    .strictObject({
      maxAgeDays: z.coerce.number().positive().default(365),
      futureSkewSeconds: z.coerce.number().int().min(0).default(600),
    })
    .prefault({}),
  /** Shared secrets of the vendor webhooks. Each webhook route exists only when its secret is set. */
  github: z.strictObject({ webhookSecret: webhookSecret.optional() }).prefault({}),
  gitlab: z.strictObject({ webhookToken: webhookSecret.optional() }).prefault({}),
  jira: z.strictObject({ webhookSecret: webhookSecret.optional() }).prefault({}),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Pull connectors, write-back and their schedules; only the config file sets them. */
  integrations: integrationsSchema,
  jobs: z
    .strictObject({
      /** "auto": pg-boss when the store is PostgreSQL, else in this process. */
      queue: z.enum(["auto", "in-process", "postgres"]).default("auto"),
      /** Run background jobs in this process; false for a server that leaves them to `worklens worker` processes. */
      work: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
    })
    .prefault({}),
});

export type ServerConfig = Readonly<z.infer<typeof serverConfigSchema>>;

/** Flags of `worklens serve` that override the file and the environment. */
export interface ServeFlags {
  config?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

/** Environment variables read at start-up, with the config path each one sets. */
export const SERVER_ENV_VARS = {
  WORKLENS_HOST: ["host"],
  WORKLENS_PORT: ["port"],
  WORKLENS_TLS_CERT: ["tls", "cert"],
  WORKLENS_TLS_KEY: ["tls", "key"],
  WORKLENS_ADMIN_TOKEN: ["adminToken"],
  WORKLENS_BODY_LIMIT_BYTES: ["bodyLimitBytes"],
  WORKLENS_RATE_LIMIT_MAX: ["rateLimit", "max"],
  WORKLENS_RATE_LIMIT_WINDOW_SECONDS: ["rateLimit", "windowSeconds"],
  WORKLENS_LOGIN_MAX_FAILURES: ["loginLimit", "maxFailures"],
  WORKLENS_LOGIN_WINDOW_SECONDS: ["loginLimit", "windowSeconds"],
  WORKLENS_SESSION_IDLE_MINUTES: ["sessions", "idleMinutes"],
  WORKLENS_SESSION_MAX_HOURS: ["sessions", "maxHours"],
  WORKLENS_HEARTBEAT_MAX_AGE_DAYS: ["heartbeats", "maxAgeDays"],
  WORKLENS_HEARTBEAT_FUTURE_SKEW_SECONDS: ["heartbeats", "futureSkewSeconds"],
  WORKLENS_GITHUB_WEBHOOK_SECRET: ["github", "webhookSecret"],
  WORKLENS_GITLAB_WEBHOOK_TOKEN: ["gitlab", "webhookToken"],
  WORKLENS_JIRA_WEBHOOK_SECRET: ["jira", "webhookSecret"],
  WORKLENS_LOG_LEVEL: ["logLevel"],
  WORKLENS_JOBS_QUEUE: ["jobs", "queue"],
  WORKLENS_JOBS_WORK: ["jobs", "work"],
} as const satisfies Record<string, readonly string[]>;

/**
 * Build the server config: defaults, then the JSON file, then environment variables,
 * then flags. Throws USAGE naming the file or variable and the invalid setting.
 */
export function loadServerConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServerConfig {
  const merged: Record<string, unknown> = flags.config === undefined ? {} : readConfigFile(flags.config);

  for (const [name, path] of Object.entries(SERVER_ENV_VARS)) {
    const value = env[name];
    if (value !== undefined && value !== "") setPath(merged, path, value);
  }
  if (flags.host !== undefined) setPath(merged, ["host"], flags.host);
  if (flags.port !== undefined) setPath(merged, ["port"], flags.port);
  if (flags.tlsCert !== undefined) setPath(merged, ["tls", "cert"], flags.tlsCert);
  if (flags.tlsKey !== undefined) setPath(merged, ["tls", "key"], flags.tlsKey);

  const tls = merged["tls"];
  if (isRecord(tls) && (tls["cert"] === undefined) !== (tls["key"] === undefined)) {
    throw new WorklensError("USAGE", "invalid server config: a TLS certificate needs its key and a key needs its certificate", "set both WORKLENS_TLS_CERT and WORKLENS_TLS_KEY (or --tls-cert and --tls-key), or neither");
  }

  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const source = flags.config === undefined ? "flags and environment" : `${flags.config}, flags and environment`;
    throw new WorklensError("USAGE", `invalid server config (${source}): ${formatIssues(parsed.error.issues)}`, "fix the setting named above; docs/server.md lists every key and variable");
  }
  return deepFreeze(parsed.data);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new WorklensError("NOT_FOUND", `server config file ${file} cannot be read`, "pass the path of a JSON config file to --config", { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new WorklensError("USAGE", `server config file ${file} is not valid JSON`, "write the config as one JSON object; docs/server.md shows an example", { cause: error });
  }
  if (!isRecord(parsed)) {
    throw new WorklensError("USAGE", `server config file ${file} does not contain a JSON object`, "write the config as one JSON object; docs/server.md shows an example");
  }
  return parsed;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (isRecord(child)) {
      node = child;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
