import { z } from "zod";
import { WorklensError } from "../../../domain/errors.js";
import { collectionPolicySchema } from "../../../privacy/collection.js";
import { parseRetentionPolicy, policySchema as retentionPolicySchema, RETENTION_CLASSES, RETENTION_SETTING, type RetentionPolicy } from "../../../privacy/retention.js";
import { AUTO_ACCEPT_SETTING, getAutoAcceptMinConfidence, minConfidenceSchema } from "../../../review/auto-accept.js";
import { changedFields, getCollectionPolicy, getMinGroupSize, minGroupSizeSchema, PRIVACY_SETTING_KEYS, TEAM_AI_MODES, type TeamAiMode } from "../../../store/privacy-settings.js";
import type { Repositories } from "../../../store/store.js";
import { actorOf } from "../../auth/hook.js";
import { authErrors, type ApiApp, type ApiDeps } from "./common.js";

const aiModeSchema = z.enum(TEAM_AI_MODES).describe('"off": rules only; "feedback": learned models, people confirm; "automatic": confident suggestions are also accepted for people');

const privacySettingsSchema = z
  .object({
    minGroupSize: z.number().int().describe("smallest number of people an aggregate a manager sees may stand for"),
    retention: z.record(z.enum(RETENTION_CLASSES), z.number().int().nullable()).describe("days each data class is kept; null keeps it forever"),
    collection: collectionPolicySchema.describe("which text fields of each source are kept, the repository allowlist, and metadata-only mode"),
    aiModes: z.array(z.object({ teamId: z.number().int(), teamName: z.string(), mode: aiModeSchema })).describe("the AI mode of each team, by team id"),
    autoAcceptThreshold: z.number().describe('confidence from which suggestions of people in "automatic" teams are accepted for them'),
  })
  .describe("the privacy settings");

const privacySettingsBody = z
  .strictObject({
    minGroupSize: minGroupSizeSchema.optional().describe("whole number from 1 to 1000"),
    retention: retentionPolicySchema.optional().describe("days per data class, whole days or null to keep forever; classes left out keep their current period"),
    collection: collectionPolicySchema.optional().describe("the whole collection policy: fields left out take their defaults, not their current values"),
    aiModes: z
      .array(
        z.strictObject({
          teamId: z.number().int().positive(),
          teamName: z.string().optional().describe("ignored, so the aiModes of a GET can be sent back as they are; rename a team with PATCH /teams/{id}"),
          mode: aiModeSchema,
        }),
      )
      .max(1000)
      .optional()
      .describe("AI modes of the teams listed; teams left out keep theirs"),
    autoAcceptThreshold: minConfidenceSchema.optional().describe("a confidence above 0 and at most 1"),
  })
  .describe("any of the settings; each one left out stays as it is");

type PrivacySettingsBody = z.infer<typeof privacySettingsBody>;

async function readPrivacySettings(repositories: Repositories) {
  return {
    minGroupSize: await getMinGroupSize(repositories),
    retention: await readRetention(repositories),
    collection: await getCollectionPolicy(repositories),
    aiModes: (await repositories.teams.list()).map((team) => ({ teamId: team.id, teamName: team.name, mode: team.aiMode })),
    autoAcceptThreshold: await getAutoAcceptMinConfidence(repositories),
  };
}

async function readRetention(repositories: Repositories): Promise<RetentionPolicy> {
  return parseRetentionPolicy(await repositories.settings.get(RETENTION_SETTING), `settings row "${RETENTION_SETTING}"`);
}

/** Changes one request made: dotted names of the changed fields, and the old and new value of each field that can never hold personal data. */
interface Changes {
  changed: string[];
  values: Record<string, { from: unknown; to: unknown }>;
}

/**
 * Stores the parts of `body` that differ from the stored settings and returns what
 * changed. The collection policy's changes are named but their values left out,
 * because its repository allowlist may name private projects.
 */
async function applyPrivacySettings(tx: Repositories, body: PrivacySettingsBody): Promise<Changes> {
  const changes: Changes = { changed: [], values: {} };
  const note = (field: string, from: unknown, to: unknown) => {
    changes.changed.push(field);
    changes.values[field] = { from, to };
  };

  if (body.minGroupSize !== undefined) {
    const before = await getMinGroupSize(tx);
    if (before !== body.minGroupSize) {
      await tx.settings.set(PRIVACY_SETTING_KEYS.minGroupSize, JSON.stringify(body.minGroupSize));
      note("minGroupSize", before, body.minGroupSize);
    }
  }

  if (body.retention !== undefined) {
    const before = await readRetention(tx);
    const after: Record<string, number | null> = { ...before };
    for (const dataClass of RETENTION_CLASSES) {
      const days = body.retention[dataClass];
      if (days === undefined || days === before[dataClass]) continue;
      after[dataClass] = days;
      note(`retention.${dataClass}`, before[dataClass], days);
    }
    // Every class is written out, as the CLI does, so a later change of a default does not change a stored policy.
    if (changes.changed.some((field) => field.startsWith("retention."))) await tx.settings.set(RETENTION_SETTING, JSON.stringify(after));
  }

  if (body.collection !== undefined) {
    const fields = changedFields(await getCollectionPolicy(tx), body.collection);
    if (fields.length > 0) {
      await tx.settings.set(PRIVACY_SETTING_KEYS.collection, JSON.stringify(body.collection));
      changes.changed.push(...fields.map((field) => `collection.${field}`));
    }
  }

  if (body.aiModes !== undefined) await applyAiModes(tx, body.aiModes, note);

  if (body.autoAcceptThreshold !== undefined) {
    const before = await getAutoAcceptMinConfidence(tx);
    if (before !== body.autoAcceptThreshold) {
      await tx.settings.set(AUTO_ACCEPT_SETTING, JSON.stringify(body.autoAcceptThreshold));
      note("autoAcceptThreshold", before, body.autoAcceptThreshold);
    }
  }
  return changes;
}

async function applyAiModes(tx: Repositories, modes: readonly { teamId: number; mode: TeamAiMode }[], note: (field: string, from: unknown, to: unknown) => void): Promise<void> {
  const teams = new Map((await tx.teams.list()).map((team) => [team.id, team]));
  const seen = new Set<number>();
  for (const [index, { teamId, mode }] of modes.entries()) {
    const team = teams.get(teamId);
    if (team === undefined) {
      throw new WorklensError("INVALID_INPUT", `invalid request: body.aiModes.${String(index)}.teamId: no team has id ${String(teamId)}`, "GET /teams lists the team ids");
    }
    if (seen.has(teamId)) {
      throw new WorklensError("INVALID_INPUT", `invalid request: body.aiModes.${String(index)}.teamId: team ${String(teamId)} is listed twice`, "list each team once");
    }
    seen.add(teamId);
    if (team.aiMode === mode) continue;
    await tx.teams.setAiMode(teamId, mode);
    note(`aiModes.${String(teamId)}`, team.aiMode, mode);
  }
}

/** Register the routes of the privacy settings an administrator changes in the web UI. */
export function settingsRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/settings/privacy",
    {
      config: { access: "auditor" },
      schema: {
        operationId: "getPrivacySettings",
        tags: ["privacy"],
        summary: "The privacy settings: minimum group size, retention, collection policy, AI mode per team and the auto-accept threshold",
        response: { 200: z.object({ data: privacySettingsSchema }), ...authErrors },
      },
    },
    async () => ({ data: await readPrivacySettings(store) }),
  );

  api.put(
    "/settings/privacy",
    {
      config: { access: "admin" },
      schema: {
        operationId: "setPrivacySettings",
        tags: ["privacy"],
        summary: "Change any of the privacy settings in one transaction",
        description:
          "Returns all settings as GET does. One settings.change audit entry names the changed fields, " +
          "with old and new values except for the collection policy, whose repository allowlist may name private projects.",
        security: [{ adminToken: [] }],
        body: privacySettingsBody,
        response: { 200: z.object({ data: privacySettingsSchema }), ...authErrors },
      },
    },
    async (request) => {
      if (request.principal === null) throw new Error("settings route reached without a principal");
      const actor = actorOf(request.principal);
      const body = request.body;
      const changes = await store.transaction(async (tx) => {
        const applied = await applyPrivacySettings(tx, body);
        if (applied.changed.length > 0) {
          const parts = Object.keys(body).filter((part) => applied.changed.some((field) => field.startsWith(`${part}.`) || field === part));
          await tx.audit.append({ at: clock(), actor, action: "settings.change", subject: null, details: { setting: "privacy", parts, changed: applied.changed, values: applied.values } });
        }
        return applied;
      });
      request.log.info({ changed: changes.changed }, "privacy settings changed");
      return { data: await readPrivacySettings(store) };
    },
  );
}
