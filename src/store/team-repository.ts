import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import { resolveZone } from "../domain/time.js";
import { DEFAULT_AI_MODE, PRIVACY_SETTING_KEYS, TEAM_AI_MODES, type TeamAiMode } from "./privacy-settings.js";
import type { Database } from "./schema.js";
import type { Repositories } from "./store.js";

/**
 * How far learned models may act for a team's people: "off" uses the rules only,
 * "feedback" lets models suggest and people confirm, "automatic" also accepts confident
 * suggestions for them.
 */
export type AiMode = TeamAiMode;

/** AI modes from the most to the least restrictive; a person in several teams gets the first one that applies. */
export const AI_MODES: readonly AiMode[] = TEAM_AI_MODES;

/** Maximum length of a team name, so names fit in tables and log lines. */
const MAX_TEAM_NAME_LENGTH = 100;

export interface TeamRecord {
  id: number;
  name: string;
  managerPersonId: number | null;
  aiMode: AiMode;
  createdAt: number;
}

/** A member's commitment to a team. */
export interface Commitment {
  /** Share of a full week, 0 to 1. */
  share: number;
  /** ISO weekday numbers, 1 = Monday to 7 = Sunday, ascending and distinct. */
  workingDays: number[];
  /** Working hours on each working day, more than 0 and at most 24. */
  hoursPerDay: number;
  /** IANA zone of the working days; null means the person's own zone. */
  tz: string | null;
}

export interface TeamMember extends Commitment {
  teamId: number;
  personId: number;
}

export function isAiMode(value: unknown): value is AiMode {
  return typeof value === "string" && (AI_MODES as readonly string[]).includes(value);
}

/** Parses an AI mode from user input, naming the field in the error. */
export function parseAiMode(value: string, field: string): AiMode {
  const mode = value.trim().toLowerCase();
  if (!isAiMode(mode)) {
    throw new WorklensError("USAGE", `invalid ${field} "${value}": expected off, feedback or automatic`, "off uses the rules only, feedback lets people confirm model suggestions, automatic also accepts confident ones");
  }
  return mode;
}

/** Returns the more restrictive of two modes (off < feedback < automatic). */
export function stricterAiMode(a: AiMode, b: AiMode): AiMode {
  return AI_MODES.indexOf(a) <= AI_MODES.indexOf(b) ? a : b;
}

/** Checks a commitment field by field, and returns it with working days sorted. */
export function validateCommitment(input: Commitment, where: string): Commitment {
  const { share, workingDays, hoursPerDay, tz } = input;
  if (typeof share !== "number" || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new WorklensError("USAGE", `${where}: invalid share ${String(share)}: expected a number from 0 to 1`, "give the share of a full week, such as 0.5 for half time");
  }
  if (!Array.isArray(workingDays) || workingDays.length === 0) {
    throw new WorklensError("USAGE", `${where}: working days are missing`, "give ISO weekday numbers from 1 (Monday) to 7 (Sunday), such as 1,2,3,4,5");
  }
  for (const day of workingDays) {
    if (!Number.isInteger(day) || day < 1 || day > 7) {
      throw new WorklensError("USAGE", `${where}: invalid working day ${String(day)}: expected a whole number from 1 (Monday) to 7 (Sunday)`, "give ISO weekday numbers such as 1,2,3,4,5");
    }
  }
  if (new Set(workingDays).size !== workingDays.length) {
    throw new WorklensError("USAGE", `${where}: working days ${workingDays.join(",")} repeat a day`, "give each weekday once");
  }
  if (typeof hoursPerDay !== "number" || !Number.isFinite(hoursPerDay) || hoursPerDay <= 0 || hoursPerDay > 24) {
    throw new WorklensError("USAGE", `${where}: invalid hours per day ${String(hoursPerDay)}: expected more than 0 and at most 24`, "give the working hours of one working day, such as 8");
  }
  if (tz !== null && (typeof tz !== "string" || resolveZone(tz) === undefined)) {
    throw new WorklensError("USAGE", `${where}: invalid time zone "${tz}"`, "use an IANA name such as Europe/Berlin, or leave it out to use the person's own zone");
  }
  return { share, workingDays: [...workingDays].sort((a, b) => a - b), hoursPerDay, tz };
}

function validateTeamName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "" || trimmed.length > MAX_TEAM_NAME_LENGTH) {
    throw new WorklensError("USAGE", `invalid team name "${name}": expected 1 to ${String(MAX_TEAM_NAME_LENGTH)} characters`, "give the team a short name such as platform");
  }
  return trimmed;
}

function parseWorkingDays(stored: string, teamId: number, personId: number): number[] {
  const parsed: unknown = JSON.parse(stored);
  if (!Array.isArray(parsed) || !parsed.every((d) => Number.isInteger(d))) {
    throw new WorklensError("STORE", `team_members row (team ${String(teamId)}, person ${String(personId)}) has invalid working_days ${stored}`, "set the member's commitment again with worklens teams add-member");
  }
  return parsed as number[];
}

type TeamRow = Pick<Database["teams"], "name" | "manager_person_id" | "ai_mode" | "created_at"> & { id: number };

function toTeam(row: TeamRow): TeamRecord {
  if (!isAiMode(row.ai_mode)) {
    throw new WorklensError("STORE", `team ${String(row.id)} has invalid ai_mode "${row.ai_mode}"`, "set it again with worklens teams set-ai-mode");
  }
  return { id: row.id, name: row.name, managerPersonId: row.manager_person_id, aiMode: row.ai_mode, createdAt: row.created_at };
}

/** Teams, their managers and AI modes, and their members' commitments. */
export class TeamRepository {
  constructor(readonly db: Kysely<Database>) {}

  /** Creates a team; the name must be unused. */
  async create(input: { name: string; managerPersonId?: number | null; aiMode?: AiMode }, now: number = Date.now()): Promise<TeamRecord> {
    const name = validateTeamName(input.name);
    if (await this.findByName(name)) {
      throw new WorklensError("CONFLICT", `a team named "${name}" already exists`, "choose another name, or change the existing team");
    }
    const manager = input.managerPersonId ?? null;
    if (manager !== null) await this.requirePerson(manager);
    const row = await this.db
      .insertInto("teams")
      .values({ name, manager_person_id: manager, ai_mode: input.aiMode ?? DEFAULT_AI_MODE, created_at: now })
      .returning(["id", "name", "manager_person_id", "ai_mode", "created_at"])
      .executeTakeFirstOrThrow();
    return toTeam(row);
  }

  async get(teamId: number): Promise<TeamRecord | undefined> {
    const row = await this.db.selectFrom("teams").select(["id", "name", "manager_person_id", "ai_mode", "created_at"]).where("id", "=", teamId).executeTakeFirst();
    return row ? toTeam(row) : undefined;
  }

  /** Returns the team or throws NOT_FOUND naming the id. */
  async require(teamId: number): Promise<TeamRecord> {
    const team = await this.get(teamId);
    if (!team) throw new WorklensError("NOT_FOUND", `team ${String(teamId)} not found`, 'run "worklens teams list" to see team ids');
    return team;
  }

  async findByName(name: string): Promise<TeamRecord | undefined> {
    const row = await this.db.selectFrom("teams").select(["id", "name", "manager_person_id", "ai_mode", "created_at"]).where("name", "=", name.trim()).executeTakeFirst();
    return row ? toTeam(row) : undefined;
  }

  async list(): Promise<TeamRecord[]> {
    const rows = await this.db.selectFrom("teams").select(["id", "name", "manager_person_id", "ai_mode", "created_at"]).orderBy("id").execute();
    return rows.map(toTeam);
  }

  async rename(teamId: number, name: string): Promise<TeamRecord> {
    await this.require(teamId);
    const trimmed = validateTeamName(name);
    const clash = await this.findByName(trimmed);
    if (clash && clash.id !== teamId) {
      throw new WorklensError("CONFLICT", `a team named "${trimmed}" already exists`, "choose another name");
    }
    await this.db.updateTable("teams").set({ name: trimmed }).where("id", "=", teamId).execute();
    return this.require(teamId);
  }

  /** Deletes a team and its memberships (people and their data stay). */
  async delete(teamId: number): Promise<void> {
    await this.require(teamId);
    await this.db.deleteFrom("team_members").where("team_id", "=", teamId).execute();
    await this.db.deleteFrom("teams").where("id", "=", teamId).execute();
  }

  /** Sets or clears (null) the team's manager. */
  async setManager(teamId: number, personId: number | null): Promise<TeamRecord> {
    await this.require(teamId);
    if (personId !== null) await this.requirePerson(personId);
    await this.db.updateTable("teams").set({ manager_person_id: personId }).where("id", "=", teamId).execute();
    return this.require(teamId);
  }

  async setAiMode(teamId: number, mode: AiMode): Promise<TeamRecord> {
    await this.require(teamId);
    if (!isAiMode(mode)) parseAiMode(String(mode), "AI mode");
    await this.db.updateTable("teams").set({ ai_mode: mode }).where("id", "=", teamId).execute();
    return this.require(teamId);
  }

  /** Adds a person to a team, or replaces their commitment when they already belong to it. */
  async setMember(teamId: number, personId: number, commitment: Commitment): Promise<TeamMember> {
    await this.require(teamId);
    await this.requirePerson(personId);
    const valid = validateCommitment(commitment, `member ${String(personId)} of team ${String(teamId)}`);
    const values = { share: valid.share, working_days: JSON.stringify(valid.workingDays), hours_per_day: valid.hoursPerDay, tz: valid.tz };
    await this.db
      .insertInto("team_members")
      .values({ team_id: teamId, person_id: personId, ...values })
      .onConflict((oc) => oc.columns(["team_id", "person_id"]).doUpdateSet(values))
      .execute();
    return { teamId, personId, ...valid };
  }

  /** Removes a person from a team; returns false when they were not a member. */
  async removeMember(teamId: number, personId: number): Promise<boolean> {
    await this.require(teamId);
    const result = await this.db.deleteFrom("team_members").where("team_id", "=", teamId).where("person_id", "=", personId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Members of a team with their commitments, by person id. */
  async membersOf(teamId: number): Promise<TeamMember[]> {
    const rows = await this.db
      .selectFrom("team_members")
      .select(["team_id", "person_id", "share", "working_days", "hours_per_day", "tz"])
      .where("team_id", "=", teamId)
      .orderBy("person_id")
      .execute();
    return rows.map((r) => ({
      teamId: r.team_id,
      personId: r.person_id,
      share: r.share,
      workingDays: parseWorkingDays(r.working_days, r.team_id, r.person_id),
      hoursPerDay: r.hours_per_day,
      tz: r.tz,
    }));
  }

  /** Teams a person belongs to. */
  async teamsOf(personId: number): Promise<TeamRecord[]> {
    const rows = await this.db
      .selectFrom("teams")
      .innerJoin("team_members", "team_members.team_id", "teams.id")
      .select(["teams.id", "teams.name", "teams.manager_person_id", "teams.ai_mode", "teams.created_at"])
      .where("team_members.person_id", "=", personId)
      .orderBy("teams.id")
      .execute();
    return rows.map(toTeam);
  }

  async teamsManagedBy(personId: number): Promise<TeamRecord[]> {
    const rows = await this.db.selectFrom("teams").select(["id", "name", "manager_person_id", "ai_mode", "created_at"]).where("manager_person_id", "=", personId).orderBy("id").execute();
    return rows.map(toTeam);
  }

  async isManagerOf(personId: number, teamId: number): Promise<boolean> {
    const row = await this.db.selectFrom("teams").select("id").where("id", "=", teamId).where("manager_person_id", "=", personId).executeTakeFirst();
    return row !== undefined;
  }

  /** Returns the mode of people in no team: the setting privacy.defaultAiMode (a JSON string), else feedback. */
  async defaultAiMode(): Promise<AiMode> {
    const key = PRIVACY_SETTING_KEYS.defaultAiMode;
    const stored = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    if (stored === undefined) return DEFAULT_AI_MODE;
    let value: unknown;
    try {
      value = JSON.parse(stored.value);
    } catch (error) {
      throw new WorklensError("STORE", `setting ${key} is not valid JSON`, 'set it again to one of "off", "feedback", "automatic"', { cause: error });
    }
    if (!isAiMode(value)) {
      throw new WorklensError("STORE", `setting ${key} is ${stored.value}, not one of "off", "feedback", "automatic"`, 'set it again to one of "off", "feedback", "automatic"');
    }
    return value;
  }

  /**
   * Returns the AI mode of every person in the store. A person in several teams gets the
   * most restrictive of their teams' modes, and a person in none gets the default mode.
   */
  async aiModeByPerson(): Promise<Map<number, AiMode>> {
    const fallback = await this.defaultAiMode();
    const persons = await this.db.selectFrom("persons").select("id").orderBy("id").execute();
    const memberships = await this.db
      .selectFrom("team_members")
      .innerJoin("teams", "teams.id", "team_members.team_id")
      .select(["team_members.person_id", "teams.id", "teams.ai_mode"])
      .execute();
    const teamModes = new Map<number, AiMode>();
    for (const row of memberships) {
      if (!isAiMode(row.ai_mode)) {
        throw new WorklensError("STORE", `team ${String(row.id)} has invalid ai_mode "${row.ai_mode}"`, "set it again with worklens teams set-ai-mode");
      }
      const current = teamModes.get(row.person_id);
      teamModes.set(row.person_id, current === undefined ? row.ai_mode : stricterAiMode(current, row.ai_mode));
    }
    const modes = new Map<number, AiMode>();
    for (const { id } of persons) modes.set(id, teamModes.get(id) ?? fallback);
    return modes;
  }

  private async requirePerson(personId: number): Promise<void> {
    const row = await this.db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
    if (!row) throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, 'run "worklens people list" to see person ids');
  }
}

/**
 * Appends the "team.change" audit entry of one change to a team. `change` names what
 * changed ("create", "rename", "delete", "manager", "ai_mode", "member.set",
 * "member.remove"), and details carry ids and modes only.
 */
export async function auditTeamChange(
  repositories: Repositories,
  entry: { at: number; actor: string; teamId: number; change: string; details?: Record<string, unknown> },
): Promise<void> {
  await repositories.audit.append({
    at: entry.at,
    actor: entry.actor,
    action: "team.change",
    subject: `team:${String(entry.teamId)}`,
    details: { change: entry.change, ...entry.details },
  });
}
