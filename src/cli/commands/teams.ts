import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { hours, renderTable } from "../../insights/format.js";
import { teamCapacity, type TeamCapacity } from "../../insights/team-capacity.js";
import type { SuppressedBreakdown } from "../../privacy/min-group.js";
import type { Repositories, Store } from "../../store/store.js";
import { auditTeamChange, parseAiMode, type TeamRecord } from "../../store/team-repository.js";
import { withStore, type CommandContext } from "../context.js";

/** Audit actor of changes made on the command line. */
const CLI_ACTOR = "cli";

function parsePositiveId(value: string, label: string, hint: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new WorklensError("USAGE", `invalid ${label} "${value}": expected a positive whole number`, hint);
  return id;
}

/** Resolves a person given as a person id or an e-mail address of one of their identities. */
export async function resolvePersonArgument(repositories: Repositories, value: string): Promise<number> {
  const trimmed = value.trim();
  const people = await repositories.people.list();
  if (/^\d+$/.test(trimmed)) {
    const id = parsePositiveId(trimmed, "person id", 'run "worklens people list" to see ids');
    if (!people.some((p) => p.id === id)) throw new WorklensError("NOT_FOUND", `person ${trimmed} not found`, 'run "worklens people list" to see ids');
    return id;
  }
  if (!/^[^@\s]+@[^@\s]+$/.test(trimmed)) {
    throw new WorklensError("USAGE", `invalid person "${value}": expected a person id or an e-mail address`, 'run "worklens people list" to see ids and identities');
  }
  const email = trimmed.toLowerCase();
  const matches = people.filter((p) => p.email?.toLowerCase() === email || p.identities.some((i) => i.externalId.toLowerCase() === email));
  const [match] = matches;
  if (match === undefined) throw new WorklensError("NOT_FOUND", `no person with the e-mail address ${trimmed}`, 'run "worklens people list" to see ids and identities');
  if (matches.length > 1) {
    throw new WorklensError("USAGE", `the e-mail address ${trimmed} belongs to persons ${matches.map((p) => String(p.id)).join(", ")}`, "pass the person id, or merge the persons with worklens people merge");
  }
  return match.id;
}

/** Resolves a team given as its id or its name. */
async function resolveTeam(repositories: Repositories, value: string): Promise<TeamRecord> {
  if (/^\d+$/.test(value.trim())) return repositories.teams.require(parsePositiveId(value.trim(), "team id", 'run "worklens teams list" to see ids'));
  const team = await repositories.teams.findByName(value);
  if (team === undefined) throw new WorklensError("NOT_FOUND", `team "${value}" not found`, 'run "worklens teams list" to see teams');
  return team;
}

function parseNumber(value: string, flag: string, hint: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a number`, hint);
  return number;
}

function parseWorkingDays(value: string): number[] {
  return value.split(",").map((part) => {
    const day = Number(part.trim());
    if (part.trim() === "" || !Number.isInteger(day)) {
      throw new WorklensError("USAGE", `invalid --days "${value}": expected ISO weekday numbers separated by commas`, "1 is Monday and 7 is Sunday, for example --days 1,2,3,4,5");
    }
    return day;
  });
}

function formatBreakdown(title: string, breakdown: SuppressedBreakdown): string {
  const rows = breakdown.cells.map((c) => [c.label, hours(c.seconds), String(c.people)]);
  if (breakdown.small !== null) rows.push([breakdown.small.label, hours(breakdown.small.seconds), ""]);
  return renderTable([title, "hours", "people"], rows);
}

/** Renders a capacity view as text, one block per week. */
export function formatCapacity(capacity: TeamCapacity): string {
  const lines = [`team ${capacity.team.name} (${String(capacity.team.id)}), ${capacity.from} to ${capacity.to}, minimum group size ${String(capacity.minGroupSize)}`, ""];
  for (const week of capacity.weeks) {
    const totals = week.totals;
    if (totals === null) {
      lines.push(`${week.week} (${week.from} to ${week.to}): not shown, fewer than ${String(capacity.minGroupSize)} people had time this week`, "");
      continue;
    }
    lines.push(
      `${week.week} (${week.from} to ${week.to}): ${String(totals.contributors)} people with time, committed ${hours(totals.committedSeconds)} h by all members, suggested ${hours(totals.suggestedSeconds)} h, confirmed ${hours(totals.confirmedSeconds)} h`,
    );
    lines.push(formatBreakdown("project", totals.byProject));
    lines.push(formatBreakdown("epic", totals.byEpic));
    lines.push(formatBreakdown("issue type", totals.byIssueType));
    lines.push(formatBreakdown("kind of work", totals.byCategory));
    lines.push(formatBreakdown("linking", totals.linkedVersusUnlinked));
  }
  return `${lines.join("\n")}\n`;
}

/** Changes one team and appends its "team.change" audit entry in one transaction. */
async function changeTeam<T>(store: Store, work: (tx: Repositories) => Promise<{ result: T; teamId: number; change: string; details?: Record<string, unknown> }>): Promise<T> {
  return store.transaction(async (tx) => {
    const { result, teamId, change, details } = await work(tx);
    await auditTeamChange(tx, { at: Date.now(), actor: CLI_ACTOR, teamId, change, ...(details === undefined ? {} : { details }) });
    return result;
  });
}

/** Registers `worklens teams`. */
export function registerTeams(program: Command, context: () => CommandContext): void {
  const teams = program.command("teams").description("teams, their managers, members' commitments, AI modes and capacity");
  const personHelp = "person id or e-mail address";

  teams
    .command("create")
    .description("create a team")
    .argument("<name>", "team name")
    .option("--manager <person>", `the team's manager: ${personHelp}`)
    .option("--ai-mode <mode>", "off (rules only), feedback (learned models, people confirm) or automatic (confident suggestions are accepted)", "feedback")
    .action(async (name: string, options: { manager?: string; aiMode: string }) => {
      const ctx = context();
      const aiMode = parseAiMode(options.aiMode, "--ai-mode");
      await withStore(ctx, async (store) => {
        const team = await changeTeam(store, async (tx) => {
          const managerPersonId = options.manager === undefined ? null : await resolvePersonArgument(tx, options.manager);
          const created = await tx.teams.create({ name, managerPersonId, aiMode });
          return { result: created, teamId: created.id, change: "create", details: { aiMode, managerPersonId } };
        });
        ctx.out(`created team ${team.name} (${String(team.id)}) with AI mode ${team.aiMode}\n`);
      }, { mustExist: true });
    });

  teams
    .command("list")
    .description("list teams with their manager, AI mode and member count")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const list = await store.teams.list();
        const counts = await Promise.all(list.map(async (t) => (await store.teams.membersOf(t.id)).length));
        if (options.json === true) {
          ctx.out(`${JSON.stringify(list.map((t, i) => ({ ...t, members: counts[i] })), null, 2)}\n`);
          return;
        }
        ctx.out(renderTable(["id", "name", "manager", "AI mode", "members"], list.map((t, i) => [String(t.id), t.name, t.managerPersonId === null ? "" : String(t.managerPersonId), t.aiMode, String(counts[i] ?? 0)])));
      }, { mustExist: true });
    });

  teams
    .command("show")
    .description("show a team and its members' commitments")
    .argument("<team>", "team id or name")
    .option("--json", "print JSON")
    .action(async (teamArgument: string, options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const team = await resolveTeam(store, teamArgument);
        const members = await store.teams.membersOf(team.id);
        if (options.json === true) {
          ctx.out(`${JSON.stringify({ ...team, members }, null, 2)}\n`);
          return;
        }
        ctx.out(`team ${team.name} (${String(team.id)}), manager ${team.managerPersonId === null ? "none" : `person ${String(team.managerPersonId)}`}, AI mode ${team.aiMode}\n`);
        ctx.out(renderTable(["person", "share", "working days", "hours per day", "zone"], members.map((m) => [String(m.personId), String(m.share), m.workingDays.join(","), String(m.hoursPerDay), m.tz ?? "person's zone"])));
      }, { mustExist: true });
    });

  teams
    .command("delete")
    .description("delete a team and its memberships; people and their data stay")
    .argument("<team>", "team id or name")
    .action(async (teamArgument: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const team = await changeTeam(store, async (tx) => {
          const found = await resolveTeam(tx, teamArgument);
          await tx.teams.delete(found.id);
          return { result: found, teamId: found.id, change: "delete" };
        });
        ctx.out(`deleted team ${team.name} (${String(team.id)})\n`);
      }, { mustExist: true });
    });

  teams
    .command("set-manager")
    .description("set the team's manager, who may read its capacity view")
    .argument("<team>", "team id or name")
    .argument("<person>", `${personHelp}, or "none" to clear`)
    .action(async (teamArgument: string, personArgument: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const team = await changeTeam(store, async (tx) => {
          const found = await resolveTeam(tx, teamArgument);
          const personId = personArgument.trim().toLowerCase() === "none" ? null : await resolvePersonArgument(tx, personArgument);
          const updated = await tx.teams.setManager(found.id, personId);
          return { result: updated, teamId: found.id, change: "manager", details: { managerPersonId: personId } };
        });
        ctx.out(`team ${team.name}: manager ${team.managerPersonId === null ? "none" : `person ${String(team.managerPersonId)}`}\n`);
      }, { mustExist: true });
    });

  teams
    .command("set-ai-mode")
    .description("set how far learned models act for the team's people: off, feedback or automatic")
    .argument("<team>", "team id or name")
    .argument("<mode>", "off (rules only), feedback (learned models, people confirm) or automatic (confident suggestions are accepted)")
    .action(async (teamArgument: string, modeArgument: string) => {
      const ctx = context();
      const mode = parseAiMode(modeArgument, "AI mode");
      await withStore(ctx, async (store) => {
        const team = await changeTeam(store, async (tx) => {
          const found = await resolveTeam(tx, teamArgument);
          const updated = await tx.teams.setAiMode(found.id, mode);
          return { result: updated, teamId: found.id, change: "ai_mode", details: { from: found.aiMode, to: mode } };
        });
        ctx.out(`team ${team.name}: AI mode ${team.aiMode}; it applies from the next "worklens suggest" or refresh\n`);
      }, { mustExist: true });
    });

  teams
    .command("add-member")
    .description("add a person to a team, or change their commitment")
    .argument("<team>", "team id or name")
    .argument("<person>", personHelp)
    .option("--share <fraction>", "share of a full week committed to the team, 0 to 1", "1")
    .option("--days <weekdays>", "working days as ISO weekday numbers, 1 = Monday to 7 = Sunday", "1,2,3,4,5")
    .option("--hours <hours>", "working hours per working day", "8")
    .option("--tz <zone>", "IANA zone of the working days (default: the person's own zone)")
    .action(async (teamArgument: string, personArgument: string, options: { share: string; days: string; hours: string; tz?: string }) => {
      const ctx = context();
      const commitment = {
        share: parseNumber(options.share, "--share", "give a share such as 0.5 for half time"),
        workingDays: parseWorkingDays(options.days),
        hoursPerDay: parseNumber(options.hours, "--hours", "give the hours of one working day, such as 8"),
        tz: options.tz ?? null,
      };
      await withStore(ctx, async (store) => {
        const member = await changeTeam(store, async (tx) => {
          const team = await resolveTeam(tx, teamArgument);
          const personId = await resolvePersonArgument(tx, personArgument);
          const set = await tx.teams.setMember(team.id, personId, commitment);
          return { result: set, teamId: team.id, change: "member.set", details: { personId } };
        });
        ctx.out(`person ${String(member.personId)} in team ${String(member.teamId)}: share ${String(member.share)}, days ${member.workingDays.join(",")}, ${String(member.hoursPerDay)} h per day, zone ${member.tz ?? "the person's own"}\n`);
      }, { mustExist: true });
    });

  teams
    .command("remove-member")
    .description("remove a person from a team")
    .argument("<team>", "team id or name")
    .argument("<person>", personHelp)
    .action(async (teamArgument: string, personArgument: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const { team, personId } = await changeTeam(store, async (tx) => {
          const found = await resolveTeam(tx, teamArgument);
          const id = await resolvePersonArgument(tx, personArgument);
          if (!(await tx.teams.removeMember(found.id, id))) {
            throw new WorklensError("NOT_FOUND", `person ${String(id)} is not a member of team ${found.name}`, `run "worklens teams show ${found.name}" to see its members`);
          }
          return { result: { team: found, personId: id }, teamId: found.id, change: "member.remove", details: { personId: id } };
        });
        ctx.out(`removed person ${String(personId)} from team ${team.name}\n`);
      }, { mustExist: true });
    });

  teams
    .command("capacity")
    .description("a team's capacity per ISO week: committed, suggested and confirmed hours, and where the time went (audited as read.team_capacity)")
    .argument("<team>", "team id or name")
    .requiredOption("--from <day>", "first day, YYYY-MM-DD; widened to the Monday of its ISO week")
    .requiredOption("--to <day>", "last day, YYYY-MM-DD; widened to the Sunday of its ISO week")
    .option("--json", "print JSON")
    .action(async (teamArgument: string, options: { from: string; to: string; json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const team = await resolveTeam(store, teamArgument);
        const capacity = await teamCapacity(store, { teamId: team.id, from: options.from, to: options.to, actor: CLI_ACTOR });
        ctx.out(options.json === true ? `${JSON.stringify(capacity, null, 2)}\n` : formatCapacity(capacity));
      }, { mustExist: true });
    });
}
