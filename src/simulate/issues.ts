import { DateTime } from "luxon";
import type { Random } from "../bench/random.js";
import { workInstant } from "../bench/synthetic-world.js";
import { PRIORITIES, PROBLEMS, PROJECTS, VERBS, type ProjectVocabulary } from "../bench/vocabulary.js";
import type { IssueType, SimIssue, SimPerson } from "./model.js";

const DAY_MS = 86_400_000;

/** Epics per project, created 40 to 60 days before the first simulated day. */
const EPICS_PER_PROJECT = 2;
/** Share of an engineer's tickets in their home project; the rest are in another. */
const HOME_PROJECT_SHARE = 0.8;
/** Share of non-epic issues under an epic. */
const EPIC_SHARE = 0.7;
/**
 * Tickets are queued until their effort reaches this share of the person's working
 * time. About a quarter of a day goes to meetings, reviews and unlinked work, so the
 * queue outlasts the simulation and its tail stays To Do.
 */
const QUEUE_SHARE = 0.9;

/** Ticket types with their share and true effort range in hours. */
const TICKET_TYPES: readonly { type: IssueType; share: number; hours: readonly [number, number] }[] = [
  { type: "Story", share: 0.35, hours: [4, 14] },
  { type: "Task", share: 0.25, hours: [2, 8] },
  { type: "Bug", share: 0.25, hours: [1, 6] },
  { type: "Sub-task", share: 0.15, hours: [1, 4] },
];

export interface SimProject extends ProjectVocabulary {
  key: string;
}

export interface IssuePlan {
  projects: SimProject[];
  issues: SimIssue[];
  /** Each person's assigned tickets in the order they work on them. */
  queues: Map<number, SimIssue[]>;
}

/** Gives each Jira project key the words of one bench vocabulary project, in turn. */
export function planProjects(keys: readonly string[]): SimProject[] {
  return keys.map((key, index) => {
    const vocabulary = PROJECTS[index % PROJECTS.length] ?? PROJECTS[0];
    if (vocabulary === undefined) throw new RangeError("the bench vocabulary has no projects");
    return { ...vocabulary, key, repo: key === vocabulary.key ? vocabulary.repo : key.toLowerCase() };
  });
}

/**
 * Plans epics, one unassigned backlog issue per project, and per person a queue of
 * assigned tickets, all created before `firstDay`. Keys number each project's issues
 * in order of creation.
 */
export function planIssues(people: readonly SimPerson[], projects: readonly SimProject[], firstDay: string, dayCount: number, random: Random): IssuePlan {
  const start = DateTime.fromISO(firstDay, { zone: "UTC" }).toMillis();
  const drafts: SimIssue[] = [];

  for (const project of projects) {
    for (let i = 0; i < EPICS_PER_PROJECT; i += 1) {
      const reporter = random.pick(people);
      const createdAt = workInstant(random, start - random.int(40, 60) * DAY_MS, reporter.zone);
      drafts.push(draft(project, "Epic", reporter.index, undefined, createdAt, 0, random));
    }
    const reporter = random.pick(people);
    drafts.push(draft(project, random.pick(["Story", "Bug"] as const), reporter.index, undefined, workInstant(random, start - random.int(1, 30) * DAY_MS, reporter.zone), 0, random));
  }

  const owned = new Map<number, SimIssue[]>();
  for (const person of people) {
    const home = projects[person.index % projects.length] ?? projects[0];
    if (home === undefined) throw new RangeError("no project to plan issues in");
    const target = dayCount * person.daySeconds * QUEUE_SHARE;
    const list: SimIssue[] = [];
    let effort = 0;
    while (effort < target || list.length < 2) {
      const project = random.chance(HOME_PROJECT_SHARE) ? home : random.pick(projects);
      const kind = pickType(random);
      const seconds = random.int(kind.hours[0] * 4, kind.hours[1] * 4) * 900;
      const reporter = random.pick(people);
      const createdAt = workInstant(random, start - random.int(1, 25) * DAY_MS, reporter.zone);
      const issue = draft(project, kind.type, reporter.index, person.index, createdAt, seconds, random);
      list.push(issue);
      drafts.push(issue);
      effort += seconds;
    }
    owned.set(person.index, list);
  }

  numberIssues(drafts, projects);
  linkParents(drafts, random);
  return { projects: [...projects], issues: drafts, queues: owned };
}

function pickType(random: Random): (typeof TICKET_TYPES)[number] {
  let roll = random.next();
  for (const kind of TICKET_TYPES) {
    roll -= kind.share;
    if (roll < 0) return kind;
  }
  return TICKET_TYPES[0] ?? { type: "Task", share: 1, hours: [2, 8] };
}

function draft(project: SimProject, type: IssueType, reporter: number, assignee: number | undefined, createdAt: number, effortSeconds: number, random: Random): SimIssue {
  const module = random.pick(project.modules);
  const noun = random.pick(project.nouns);
  const summary = type === "Epic" ? `${module} ${noun} overhaul` : `${random.pick(VERBS)} ${noun} in ${module}`;
  return {
    id: "",
    key: "",
    projectKey: project.key,
    repo: project.repo,
    module,
    summary,
    description: `The ${module} ${random.pick(PROBLEMS)}. It shows with the ${noun} and with ${random.pick(project.nouns)}.`,
    type,
    priority: random.pick(PRIORITIES),
    epicKey: undefined,
    parentKey: undefined,
    reporter,
    assignee,
    createdAt,
    effortSeconds,
    transitions: [],
    comments: [],
  };
}

/** Sets keys and Jira ids in order of creation; ties keep the planning order. */
function numberIssues(issues: SimIssue[], projects: readonly SimProject[]): void {
  const order = issues.map((issue, index) => ({ issue, index })).sort((a, b) => a.issue.createdAt - b.issue.createdAt || a.index - b.index);
  const numbers = new Map(projects.map((p) => [p.key, 0]));
  order.forEach(({ issue }, position) => {
    const number = (numbers.get(issue.projectKey) ?? 0) + 1;
    numbers.set(issue.projectKey, number);
    issue.key = `${issue.projectKey}-${number}`;
    issue.id = String(10_000 + position);
  });
}

/** Puts most issues under an epic of their project and each sub-task under an older story; a sub-task without one becomes a task. */
function linkParents(issues: readonly SimIssue[], random: Random): void {
  const epics = issues.filter((i) => i.type === "Epic");
  const stories = new Map<string, SimIssue[]>();
  const byCreation = [...issues].sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
  for (const issue of byCreation) {
    if (issue.type === "Epic") continue;
    const older = stories.get(issue.projectKey) ?? [];
    if (issue.type === "Sub-task" && older.length > 0) {
      const parent = random.pick(older);
      issue.parentKey = parent.key;
      issue.module = parent.module;
      continue;
    }
    if (issue.type === "Sub-task") issue.type = "Task";
    if (issue.type === "Story") {
      older.push(issue);
      stories.set(issue.projectKey, older);
    }
    const own = epics.filter((e) => e.projectKey === issue.projectKey);
    if (own.length > 0 && random.chance(EPIC_SHARE)) issue.epicKey = random.pick(own).key;
  }
}
