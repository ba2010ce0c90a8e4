import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Random } from "../bench/random.js";
import { simulateDay } from "./day-plan.js";
import { planIssues, planProjects } from "./issues.js";
import type { SimIssue, SimPerson, Simulation } from "./model.js";
import { resolveSimulationOptions, workingDays, type SimulationOptions } from "./options.js";
import { readme } from "./readme.js";
import { TeamState } from "./state.js";
import { planTeam } from "./team.js";
import { truthRows, type TruthRow } from "./truth.js";
import { buildFiles, type ImportStep } from "./write-files.js";

export interface SimulationResult {
  options: SimulationOptions;
  /** File contents by path relative to the output folder. */
  files: Record<string, string>;
  /** The `worklens import` runs the files need, in order. */
  imports: ImportStep[];
  truth: TruthRow[];
  people: SimPerson[];
  issues: SimIssue[];
  /** Every planned fact, including the work intervals behind the truth. */
  simulation: Simulation;
}

/**
 * Simulates a team and returns the files worklens imports, with the true working
 * time per person, local day and issue. Deterministic: the same options give the
 * same result on every machine and in every host time zone.
 */
export function simulateTeam(partial: Partial<SimulationOptions> = {}): SimulationResult {
  const options = resolveSimulationOptions(partial);
  const random = new Random(options.seed);
  const days = workingDays(options.start, options.days);
  const firstDay = days[0] ?? options.start;

  const people = planTeam(options.people, random.fork("team"));
  const projects = planProjects(options.projectKeys);
  const plan = planIssues(people, projects, firstDay, days.length, random.fork("issues"));
  const state = new TeamState(options.seed, people, plan.issues, plan.queues, projects);
  markEpicsStarted(state);

  days.forEach((day, index) => {
    for (const person of people) {
      simulateDay({ state, person, day, nextDay: days[index + 1], random: random.fork(`day:${day}:${person.index}`) });
    }
  });

  const simulation: Simulation = {
    options,
    workingDays: days,
    people,
    issues: plan.issues,
    intervals: state.intervals,
    heartbeats: state.heartbeats,
    commits: state.commits,
    calendarEvents: state.calendarEvents,
    outOfOffice: state.outOfOffice,
    pullRequests: state.pullRequests,
  };
  const truth = truthRows(simulation);
  const { files, imports } = buildFiles(simulation, truth);
  files["README.md"] = readme(options, imports, {
    issues: plan.issues.length,
    commits: state.commits.length,
    heartbeats: state.heartbeats.length,
    pullRequests: state.pullRequests.length,
  });
  return { options, files, imports, truth, people, issues: plan.issues, simulation };
}

/** Epics are In Progress from a day after their creation, moved by their reporter. */
function markEpicsStarted(state: TeamState): void {
  for (const issue of state.issues) {
    if (issue.type === "Epic") state.transition(issue, "In Progress", issue.createdAt + 86_400_000, issue.reporter);
  }
}

/** Writes every file of a simulation under `dir`, creating folders as needed, and returns the paths written. */
export async function writeSimulation(dir: string, result: SimulationResult): Promise<string[]> {
  const written: string[] = [];
  for (const [relative, text] of Object.entries(result.files).sort(([a], [b]) => a.localeCompare(b))) {
    const file = join(dir, ...relative.split("/"));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    written.push(file);
  }
  return written;
}
