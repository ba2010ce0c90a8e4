import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { teamCapacity } from "../../../insights/team-capacity.js";
import { TEAM_AI_MODES } from "../../../store/privacy-settings.js";
import type { Store } from "../../../store/store.js";
import { auditTeamChange, type TeamMember, type TeamRecord } from "../../../store/team-repository.js";
import { actorOf } from "../../auth/hook.js";
import { AccessDeniedError, authErrors, conflictResponse, daySchema, errorResponse, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";

const aiModeSchema = z.enum(TEAM_AI_MODES).describe('"off": rules only; "feedback": learned models, people confirm; "automatic": confident suggestions are also accepted for people');

const teamSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    managerPersonId: z.number().int().nullable(),
    aiMode: aiModeSchema,
  })
  .meta({ id: "Team" });

const commitmentFields = {
  share: z.number().min(0).max(1).describe("share of a full week committed to the team, 0 to 1"),
  workingDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).describe("ISO weekday numbers, 1 = Monday to 7 = Sunday"),
  hoursPerDay: z.number().gt(0).max(24).describe("working hours per working day"),
  tz: z.string().max(64).nullable().describe("IANA zone of the working days; null uses the person's own zone"),
};

const memberSchema = z.object({ personId: z.number().int(), ...commitmentFields }).meta({ id: "TeamMember" });

const breakdownSchema = z.object({
  cells: z.array(z.object({ label: z.string(), seconds: z.number(), people: z.number().int() })).describe("cells that at least the minimum group size of people contributed to"),
  small: z
    .object({ label: z.string(), seconds: z.number(), cells: z.number().int() })
    .nullable()
    .describe('cells with fewer people, merged into one "fewer than N people" sum together with enough other cells that no one cell can be recovered'),
});

const capacitySchema = z
  .object({
    team: z.object({ id: z.number().int(), name: z.string() }),
    minGroupSize: z.number().int(),
    from: z.string().describe("Monday of the first ISO week"),
    to: z.string().describe("Sunday of the last ISO week"),
    weeks: z.array(
      z.object({
        week: z.string().describe('ISO week such as "2025-W11"'),
        from: z.string(),
        to: z.string(),
        totals: z
          .object({
            contributors: z.number().int(),
            committedSeconds: z.number(),
            suggestedSeconds: z.number(),
            confirmedSeconds: z.number(),
            byProject: breakdownSchema,
            byEpic: breakdownSchema,
            byIssueType: breakdownSchema,
            byCostCategory: breakdownSchema.describe('by the first cost category rule the issue matches (GET /categories/rules); "Uncategorized" when none does, "unlinked" for time without an issue'),
            byCategory: breakdownSchema,
            linkedVersusUnlinked: breakdownSchema,
          })
          .nullable()
          .describe("null when fewer people than the minimum group size had time in the week"),
      }),
    ),
  })
  .meta({ id: "TeamCapacity" });

export const teamParams = z.object({ id: z.coerce.number().int().positive().describe("team id, as GET /teams lists them") });
const memberParams = teamParams.extend({ personId: z.coerce.number().int().positive().describe("person id, as GET /people lists them") });

function actorOfRequest(request: FastifyRequest): string {
  if (request.principal === null) throw new Error("team route reached without a principal");
  return actorOf(request.principal);
}

/**
 * Rejects a principal that may not read a team's capacity: a manager may read only the
 * teams they manage, the admin every team. A team that does not exist gets the same 403,
 * so ids cannot be probed. Returns the principal's audit actor.
 */
export async function requireCapacityReader(request: FastifyRequest, store: Store, teamId: number): Promise<string> {
  const principal = request.principal;
  if (principal === null) throw new Error("team capacity route reached without a principal");
  if (principal.kind !== "admin" && !(await store.teams.isManagerOf(principal.personId, teamId))) {
    throw new AccessDeniedError(`you do not manage team ${String(teamId)}`, "ask an administrator to make you the team's manager with `worklens teams set-manager`");
  }
  return actorOf(principal);
}

function toTeam(team: TeamRecord) {
  return { id: team.id, name: team.name, managerPersonId: team.managerPersonId, aiMode: team.aiMode };
}

function toMember(member: TeamMember) {
  return { personId: member.personId, share: member.share, workingDays: member.workingDays, hoursPerDay: member.hoursPerDay, tz: member.tz };
}

/** Register the team routes: the capacity view for managers and the admin, and team management for the admin. */
export function teamRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/teams/:id/capacity",
    {
      config: { access: "manager" },
      schema: {
        operationId: "getTeamCapacity",
        tags: ["teams"],
        summary: "Capacity of a team per ISO week, for its manager or the admin",
        description:
          "Committed hours from the members' commitments less out-of-office time, suggested and confirmed hours, and time by project, epic, issue type, cost category, kind of work and linked versus unlinked. The range is widened to whole ISO weeks. A team, or a range, with fewer people than the setting privacy.minGroupSize (default 5) returns 409; weeks with fewer people have null totals, and small cells of a breakdown are merged. Audited as read.team_capacity.",
        params: teamParams,
        querystring: z.object({ from: daySchema.describe("first day, YYYY-MM-DD"), to: daySchema.describe("last day, YYYY-MM-DD") }),
        response: { 200: capacitySchema, ...authErrors, 404: notFoundResponse, 409: errorResponse("the team or range has fewer people than the minimum group size; the message names the minimum") },
      },
    },
    async (request) => {
      const teamId = request.params.id;
      const actor = await requireCapacityReader(request, store, teamId);
      return teamCapacity(store, { teamId, from: request.query.from, to: request.query.to, actor, now: clock() });
    },
  );

  api.get(
    "/teams",
    {
      config: { access: "manager" },
      schema: {
        operationId: "listTeams",
        tags: ["teams"],
        summary: "List teams: every team for the admin, the teams a manager manages for a manager",
        response: { 200: z.object({ data: z.array(teamSchema) }), ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      // The route is "manager", so a person principal here has the manager role without admin.
      const teams = principal?.kind === "person" ? await store.teams.teamsManagedBy(principal.personId) : await store.teams.list();
      return { data: teams.map(toTeam) };
    },
  );

  api.get(
    "/teams/:id",
    {
      config: { access: "admin" },
      schema: {
        operationId: "getTeam",
        tags: ["teams"],
        summary: "A team with its members' commitments",
        params: teamParams,
        response: { 200: teamSchema.extend({ members: z.array(memberSchema) }), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const team = await store.teams.require(request.params.id);
      return { ...toTeam(team), members: (await store.teams.membersOf(team.id)).map(toMember) };
    },
  );

  api.post(
    "/teams",
    {
      config: { access: "admin" },
      schema: {
        operationId: "createTeam",
        tags: ["teams"],
        summary: "Create a team; audited as team.change",
        body: z.strictObject({ name: z.string().min(1).max(100), managerPersonId: z.number().int().positive().nullable().optional(), aiMode: aiModeSchema.optional() }),
        response: { 201: teamSchema, ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request, reply) => {
      const { name, managerPersonId, aiMode } = request.body;
      const actor = actorOfRequest(request);
      const team = await store.transaction(async (tx) => {
        const created = await tx.teams.create({ name, managerPersonId: managerPersonId ?? null, ...(aiMode === undefined ? {} : { aiMode }) }, clock());
        await auditTeamChange(tx, { at: clock(), actor, teamId: created.id, change: "create", details: { aiMode: created.aiMode, managerPersonId: created.managerPersonId } });
        return created;
      });
      return reply.code(201).send(toTeam(team));
    },
  );

  api.patch(
    "/teams/:id",
    {
      config: { access: "admin" },
      schema: {
        operationId: "updateTeam",
        tags: ["teams"],
        summary: "Rename a team, set its manager or its AI mode; audited as team.change",
        params: teamParams,
        body: z.strictObject({ name: z.string().min(1).max(100).optional(), managerPersonId: z.number().int().positive().nullable().optional(), aiMode: aiModeSchema.optional() }),
        response: { 200: teamSchema, ...authErrors, 404: notFoundResponse, 409: conflictResponse },
      },
    },
    async (request) => {
      const teamId = request.params.id;
      const { name, managerPersonId, aiMode } = request.body;
      const actor = actorOfRequest(request);
      const team = await store.transaction(async (tx) => {
        let current = await tx.teams.require(teamId);
        if (name !== undefined) {
          current = await tx.teams.rename(teamId, name);
          await auditTeamChange(tx, { at: clock(), actor, teamId, change: "rename" });
        }
        if (managerPersonId !== undefined) {
          current = await tx.teams.setManager(teamId, managerPersonId);
          await auditTeamChange(tx, { at: clock(), actor, teamId, change: "manager", details: { managerPersonId } });
        }
        if (aiMode !== undefined) {
          const before = current.aiMode;
          current = await tx.teams.setAiMode(teamId, aiMode);
          await auditTeamChange(tx, { at: clock(), actor, teamId, change: "ai_mode", details: { from: before, to: aiMode } });
        }
        return current;
      });
      return toTeam(team);
    },
  );

  api.delete(
    "/teams/:id",
    {
      config: { access: "admin" },
      schema: {
        operationId: "deleteTeam",
        tags: ["teams"],
        summary: "Delete a team and its memberships (people and their data stay); audited as team.change",
        params: teamParams,
        response: { 204: z.null().describe("deleted"), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request, reply) => {
      const teamId = request.params.id;
      const actor = actorOfRequest(request);
      await store.transaction(async (tx) => {
        await tx.teams.delete(teamId);
        await auditTeamChange(tx, { at: clock(), actor, teamId, change: "delete" });
      });
      return reply.code(204).send(null);
    },
  );

  api.put(
    "/teams/:id/members/:personId",
    {
      config: { access: "admin" },
      schema: {
        operationId: "setTeamMember",
        tags: ["teams"],
        summary: "Add a person to a team or change their commitment; audited as team.change",
        params: memberParams,
        body: z.strictObject(commitmentFields),
        response: { 200: memberSchema, ...authErrors, 404: notFoundResponse },
      },
    },
    async (request) => {
      const { id: teamId, personId } = request.params;
      const actor = actorOfRequest(request);
      const member = await store.transaction(async (tx) => {
        const set = await tx.teams.setMember(teamId, personId, request.body);
        await auditTeamChange(tx, { at: clock(), actor, teamId, change: "member.set", details: { personId } });
        return set;
      });
      return toMember(member);
    },
  );

  api.delete(
    "/teams/:id/members/:personId",
    {
      config: { access: "admin" },
      schema: {
        operationId: "removeTeamMember",
        tags: ["teams"],
        summary: "Remove a person from a team; audited as team.change",
        params: memberParams,
        response: { 204: z.null().describe("removed"), ...authErrors, 404: notFoundResponse },
      },
    },
    async (request, reply) => {
      const { id: teamId, personId } = request.params;
      const actor = actorOfRequest(request);
      const removed = await store.transaction(async (tx) => {
        const done = await tx.teams.removeMember(teamId, personId);
        if (done) await auditTeamChange(tx, { at: clock(), actor, teamId, change: "member.remove", details: { personId } });
        return done;
      });
      if (!removed) return reply.code(404).send({ error: `person ${String(personId)} is not a member of team ${String(teamId)}`, hint: "GET /teams/{id} lists the members" });
      return reply.code(204).send(null);
    },
  );
}
