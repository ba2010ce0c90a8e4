import { Random } from "./random.js";
import { modulePath, workInstant, workWindow, type PlannedIssue, type SyntheticPerson, type SyntheticWorld } from "./synthetic-world.js";
import { PROJECTS } from "./vocabulary.js";

export interface GeneratedHeartbeats {
  person: SyntheticPerson;
  count: number;
  /** A JSON array of heartbeats, the body of a heartbeats.bulk request. */
  text: string;
}

interface Heartbeat {
  entity: string;
  type: "file";
  category: "coding";
  time: number;
  project: string;
  branch: string;
  language: string;
  is_write: boolean;
}

/**
 * Spreads `total` WakaTime heartbeats over the world's engineers, one JSON array per
 * engineer (WakaTime data always belongs to one user). Heartbeats come in editing
 * sessions of 10 to 60 on the files of an issue the engineer is assigned, mostly on
 * that issue's branch, 30 to 120 s apart, as the editor plugins send them.
 */
export function generateHeartbeats(world: SyntheticWorld, total: number): GeneratedHeartbeats[] {
  const engineers = world.engineers;
  const out: GeneratedHeartbeats[] = [];
  engineers.forEach((person, position) => {
    const quota = Math.floor(total / engineers.length) + (position < total % engineers.length ? 1 : 0);
    if (quota === 0) return;
    const random = new Random(world.seed).fork(`wakatime:${person.login}`);
    const heartbeats = personHeartbeats(world, person, quota, random);
    out.push({ person, count: heartbeats.length, text: JSON.stringify(heartbeats) });
  });
  return out;
}

function personHeartbeats(world: SyntheticWorld, person: SyntheticPerson, quota: number, random: Random): Heartbeat[] {
  const own = (world.issuesByAssignee.get(person.index) ?? []).map((i) => world.issues[i]).filter((i) => i !== undefined);
  const pool = own.length > 0 ? own : world.issues;
  const heartbeats: Heartbeat[] = [];

  while (heartbeats.length < quota) {
    const issue = pool.length > 0 ? random.pick(pool) : undefined;
    const size = Math.min(quota - heartbeats.length, random.int(10, 60));
    heartbeats.push(...session(person, issue, size, random));
  }
  return heartbeats.sort((a, b) => a.time - b.time);
}

function session(person: SyntheticPerson, issue: PlannedIssue | undefined, size: number, random: Random): Heartbeat[] {
  const project = issue?.project ?? random.pick(PROJECTS);
  const module = issue?.module ?? random.pick(project.modules);
  const window = issue === undefined ? undefined : workWindow(issue);
  const near = window === undefined ? Date.UTC(2024, random.int(0, 11), random.int(1, 28)) : window.from + Math.floor(random.next() * (window.to - window.from));

  const branch = issue !== undefined && random.chance(0.65) ? `feature/${issue.key}-${module}` : "main";
  const language = project.key === "OPS" ? "YAML" : "TypeScript";
  let file = modulePath(random, project, module);
  let at = workInstant(random, near, person.zone);

  const beats: Heartbeat[] = [];
  for (let i = 0; i < size; i += 1) {
    if (random.chance(0.2)) file = modulePath(random, project, module);
    beats.push({
      entity: `/home/${person.login}/code/${project.repo}/${file}`,
      type: "file",
      category: "coding",
      // Epoch seconds with milliseconds, as the plugins send them.
      time: Math.round(at) / 1000,
      project: project.repo,
      branch,
      language,
      is_write: random.chance(0.15),
    });
    at += random.int(30_000, 120_000) + random.int(0, 999);
  }
  return beats;
}
