import type { SimulationOptions } from "./options.js";

export type Commitment = "full-time" | "part-time";

export interface SimPerson {
  index: number;
  displayName: string;
  /** Jira user name, home folder and machine name prefix. */
  login: string;
  email: string;
  /** IANA zone in which the person works; every day of theirs is a local day of this zone. */
  zone: string;
  commitment: Commitment;
  /** Usual working time of one day, in seconds, meetings included and breaks excluded. */
  daySeconds: number;
  /** Usual local start of the working day, in minutes after midnight. */
  startMinute: number;
  /** Machine names their editor sends heartbeats from; the first is the main one. */
  machines: string[];
}

export type IssueType = "Epic" | "Story" | "Task" | "Bug" | "Sub-task";
export type StatusName = "To Do" | "In Progress" | "In Review" | "Done";

export interface SimTransition {
  at: number;
  /** Index of the person who moved the issue. */
  by: number;
  from: StatusName;
  to: StatusName;
}

export interface SimComment {
  at: number;
  by: number;
  body: string;
}

export interface SimIssue {
  id: string;
  key: string;
  projectKey: string;
  /** Name of the git repository with the issue's code. */
  repo: string;
  module: string;
  summary: string;
  description: string;
  type: IssueType;
  priority: string;
  epicKey: string | undefined;
  parentKey: string | undefined;
  reporter: number;
  assignee: number | undefined;
  createdAt: number;
  /** True working time the assignee needs to finish the issue, in seconds; 0 for epics. */
  effortSeconds: number;
  transitions: SimTransition[];
  comments: SimComment[];
}

/**
 * Kind of a span of true work: ticket work, a review, a meeting, unlinked work (mail,
 * chat, reading), a short comment on someone else's issue ("drive-by"), or a few
 * minutes in a colleague's branch ("stray").
 */
export type IntervalKind = "ticket" | "review" | "meeting" | "unlinked" | "drive-by" | "stray";

/** A span of true work of one person, inside one local day of their zone. */
export interface WorkInterval {
  person: number;
  /** Local day in the person's zone, YYYY-MM-DD. */
  day: string;
  /** Epoch milliseconds, [start, end). */
  start: number;
  end: number;
  issueKey: string | null;
  kind: IntervalKind;
  /** False when the work left no trace in any file (thinking, reading, a review in the browser). */
  traced: boolean;
}

export interface SimHeartbeat {
  person: number;
  machine: string;
  /** Epoch milliseconds. */
  at: number;
  entity: string;
  project: string;
  branch: string;
  language: string;
  isWrite: boolean;
}

export interface SimCommit {
  sha: string;
  repo: string;
  person: number;
  authorDate: number;
  commitDate: number;
  message: string[];
  files: { added: number; deleted: number; path: string }[];
}

export interface SimCalendarEvent {
  person: number;
  uid: string;
  start: number;
  end: number;
  title: string;
  kind: "meeting" | "focus";
}

export interface SimOutOfOffice {
  person: number;
  day: string;
  title: string;
}

export interface SimPullRequest {
  repo: string;
  number: number;
  title: string;
  branch: string;
  person: number;
  createdAt: number;
}

/** Every planned fact of one simulation, before it is written as files. */
export interface Simulation {
  options: SimulationOptions;
  workingDays: string[];
  people: SimPerson[];
  issues: SimIssue[];
  intervals: WorkInterval[];
  heartbeats: SimHeartbeat[];
  commits: SimCommit[];
  calendarEvents: SimCalendarEvent[];
  outOfOffice: SimOutOfOffice[];
  pullRequests: SimPullRequest[];
}

export function personAt(people: readonly SimPerson[], index: number): SimPerson {
  const person = people[index];
  if (person === undefined) throw new RangeError(`no simulated person ${index}`);
  return person;
}
