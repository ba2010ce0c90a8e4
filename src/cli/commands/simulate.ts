import { resolve } from "node:path";
import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { DEFAULT_SIMULATION_OPTIONS, type SimulationOptions } from "../../simulate/options.js";
import { importCommand } from "../../simulate/readme.js";
import { simulateTeam, writeSimulation } from "../../simulate/simulate.js";
import type { CommandContext } from "../context.js";

interface SimulateFlags {
  out: string;
  people?: string;
  days?: string;
  start?: string;
  seed?: string;
  projects?: string;
}

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new WorklensError("USAGE", `invalid ${flag} "${value}": expected a whole number`, `for example ${flag} 8`);
  return Number(value);
}

function simulationOptions(flags: SimulateFlags): Partial<SimulationOptions> {
  const options: Partial<SimulationOptions> = {};
  const people = whole("--people", flags.people);
  const days = whole("--days", flags.days);
  const seed = whole("--seed", flags.seed);
  if (people !== undefined) options.people = people;
  if (days !== undefined) options.days = days;
  if (seed !== undefined) options.seed = seed;
  if (flags.start !== undefined) options.start = flags.start;
  if (flags.projects !== undefined) options.projectKeys = flags.projects.split(",").map((key) => key.trim());
  return options;
}

export function registerSimulate(program: Command, context: () => CommandContext): void {
  const defaults = DEFAULT_SIMULATION_OPTIONS;
  program
    .command("simulate")
    .description("write synthetic (not real) Jira, git, calendar and WakaTime files of a simulated team, with the true time per person, day and issue")
    .requiredOption("--out <folder>", "output folder; existing files of the same names are overwritten")
    .option("--people <n>", `team size (default ${defaults.people})`)
    .option("--days <n>", `working days, Monday to Friday (default ${defaults.days})`)
    .option("--start <YYYY-MM-DD>", `first day (default ${defaults.start})`)
    .option("--seed <n>", `random seed; the same options give the same files (default ${defaults.seed})`)
    .option("--projects <keys>", `comma-separated Jira project keys (default ${defaults.projectKeys.join(",")})`)
    .action(async (flags: SimulateFlags) => {
      const ctx = context();
      const out = resolve(flags.out);
      const result = simulateTeam(simulationOptions(flags));
      const written = await writeSimulation(out, result);
      const { options, simulation } = result;

      ctx.out(`worklens simulate: synthetic data, not real data (seed ${options.seed}, ${options.people} people, ${options.days} working days from ${simulation.workingDays[0] ?? options.start})\n`);
      ctx.out(
        `wrote ${written.length} files to ${out}: ${result.issues.length} issues, ${simulation.commits.length} commits, ` +
          `${simulation.calendarEvents.length} calendar events, ${simulation.heartbeats.length} heartbeats, ${result.truth.length} truth rows\n`,
      );
      ctx.out(`\nimport them with these commands, run in ${out}:\n\n`);
      for (const step of result.imports) ctx.out(`${importCommand(step)}\n`);
      ctx.out(`\nREADME.md there describes the files; truth.csv holds the true seconds per person, day and issue.\n`);
    });
}
