import { formatJiraInstant } from "../domain/time.js";
import { personAt, type SimHeartbeat, type SimPerson, type Simulation } from "./model.js";
import type { TruthRow } from "./truth.js";
import { truthCsv } from "./truth.js";
import { gitLogs } from "./write-git.js";
import { personCalendar } from "./write-ics.js";
import { jiraSearchJson } from "./write-jira.js";

/** One `worklens import` run that the files of a simulation need, in the order they must run. */
export type ImportStep =
  | { source: "jira"; file: string }
  | { source: "git"; file: string; repo: string }
  | { source: "ics"; file: string; person: string }
  | { source: "wakatime"; file: string; person: string; machine: string };

export interface SimulationFiles {
  /** File contents by path relative to the output folder, with "/" as separator. */
  files: Record<string, string>;
  imports: ImportStep[];
}

/**
 * Builds every output file except README.md. Jira comes first among the imports,
 * because its users carry each person's IANA zone, and a person's zone comes from
 * the first identity that creates them.
 */
export function buildFiles(simulation: Simulation, truth: readonly TruthRow[]): SimulationFiles {
  const files: Record<string, string> = {};
  const imports: ImportStep[] = [];

  files["jira/issues.json"] = jiraSearchJson(simulation);
  imports.push({ source: "jira", file: "jira/issues.json" });

  for (const [repo, text] of gitLogs(simulation)) {
    const file = `git/${repo}.log`;
    files[file] = text;
    imports.push({ source: "git", file, repo });
  }

  for (const person of simulation.people) {
    const file = `calendar/${person.login}.ics`;
    files[file] = personCalendar(simulation, person);
    imports.push({ source: "ics", file, person: person.email });
  }

  const beatsByMachine = new Map<string, SimHeartbeat[]>();
  for (const beat of simulation.heartbeats) {
    const list = beatsByMachine.get(beat.machine) ?? [];
    list.push(beat);
    beatsByMachine.set(beat.machine, list);
  }
  for (const person of simulation.people) {
    for (const machine of person.machines) {
      const beats = beatsByMachine.get(machine);
      if (beats === undefined) continue;
      const text = heartbeatsJson(beats);
      const file = `wakatime/${machine}.json`;
      files[file] = text;
      imports.push({ source: "wakatime", file, person: person.email, machine });
    }
  }

  files["github/pull-requests.json"] = pullRequestsJson(simulation);
  files["truth.csv"] = truthCsv(truth);
  files["truth.json"] = `${JSON.stringify({ synthetic: true, options: simulation.options, workingDays: simulation.workingDays, people: peopleJson(simulation.people), rows: truth }, null, 1)}\n`;
  files["manifest.json"] = `${JSON.stringify({ synthetic: true, options: simulation.options, imports }, null, 1)}\n`;
  return { files, imports };
}

/** Writes one machine's heartbeats as a JSON array, as wakatime-cli sends them to heartbeats.bulk. */
function heartbeatsJson(beats: readonly SimHeartbeat[]): string {
  const body = [...beats].sort((a, b) => a.at - b.at).map((h) => ({
    entity: h.entity,
    type: "file",
    category: "coding",
    // Epoch seconds with milliseconds, as the plugins send them.
    time: h.at / 1000,
    project: h.project,
    branch: h.branch,
    language: h.language,
    is_write: h.isWrite,
  }));
  return `${JSON.stringify(body)}\n`;
}

/**
 * Pull requests in the shape of GitHub's GET /repos/{owner}/{repo}/pulls items, grouped by repository.
 * NOTE: no `worklens import` command reads this file; pull requests reach worklens through the GitHub connector and webhooks.
 */
function pullRequestsJson(simulation: Simulation): string {
  const byRepo: Record<string, unknown[]> = {};
  for (const pull of simulation.pullRequests) {
    const author = personAt(simulation.people, pull.person);
    const created = formatJiraInstant(pull.createdAt, "UTC").replace(/\.\d{3}\+0000$/, "Z");
    const list = byRepo[pull.repo] ?? [];
    list.push({
      number: pull.number,
      title: pull.title,
      body: null,
      user: { login: author.login.replace(".", "-") },
      created_at: created,
      updated_at: created,
      head: { ref: pull.branch },
    });
    byRepo[pull.repo] = list;
  }
  return `${JSON.stringify(byRepo, null, 1)}\n`;
}

function peopleJson(people: readonly SimPerson[]): unknown[] {
  return people.map((p) => ({ email: p.email, displayName: p.displayName, zone: p.zone, commitment: p.commitment, daySeconds: p.daySeconds, machines: p.machines }));
}
