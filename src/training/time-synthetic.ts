import { allocateDetailed } from "../allocation/allocate.js";
import { TimeFeatureIndex } from "../allocation/time-features.js";
import { Random } from "../bench/random.js";
import { daysBetween, startOfDay, MS_PER_MINUTE } from "../domain/time.js";
import type { ActivityKind, ActivityRecord, LinkRecord } from "../domain/types.js";
import type { LabelledTimeRow, TimeLabelSource } from "./time-dataset.js";

/**
 * A small synthetic team for testing the time model without a store: people work on
 * tickets in sequential chunks of known length, and their traces show only part of
 * that time, the way real traces do. IDE heartbeats cover a per-person share of each
 * chunk in bursts, some people have no IDE plugin, commits land inside chunks, and
 * drive-by Jira comments on other tickets are often rejected (labelled 0). The label
 * is the chunk's true length rounded to 15 minutes, as people log it.
 */
export interface TimeWorld {
  activities: ActivityRecord[];
  links: LinkRecord[];
  zones: Map<number, string>;
  labels: { personId: number; day: string; issueId: number; seconds: number }[];
}

export interface TimeWorldOptions {
  people: number;
  /** First and last calendar day; weekend days get work only now and then. */
  from: string;
  to: string;
}

const ZONES = ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin"];
const HEARTBEAT_STEP_MINUTES = 2;

/** Generate a world; the same seed gives the same world on every machine. */
export function generateTimeWorld(seed: number, options: TimeWorldOptions): TimeWorld {
  const random = new Random(seed);
  const world: TimeWorld = { activities: [], links: [], zones: new Map(), labels: [] };
  let nextId = 1;

  const add = (personId: number, zone: string, kind: ActivityKind, startAt: number, endAt: number, issueId: number | null, extra: Partial<ActivityRecord> = {}) => {
    const id = nextId++;
    world.activities.push({
      id, source: SOURCES[kind], kind, personId, startAt, endAt, tz: zone, dateOnly: false, localDate: null, localEndDate: null,
      landedAt: null, repo: null, project: null, machine: null, explicitKeys: [], metrics: {}, ...extra,
    });
    if (issueId !== null) world.links.push({ activityId: id, issueId, rank: 0, score: 1, confidence: 0.95, method: "explicit", evidence: [] });
  };

  for (let personId = 1; personId <= options.people; personId++) {
    const person = random.fork(`person-${String(personId)}`);
    const zone = ZONES[(personId - 1) % ZONES.length] ?? "UTC";
    world.zones.set(personId, zone);
    const coverage = person.chance(0.3) ? 0 : 0.45 + person.next() * 0.45;
    const bursts = person.int(1, 3);
    const machines = person.chance(0.3) ? ["laptop", "desktop"] : ["laptop"];
    const pool = Array.from({ length: 6 }, (_, i) => personId * 100 + i);

    for (const day of daysBetween(options.from, options.to)) {
      const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
      if ((weekday === 0 || weekday === 6) && !person.chance(0.05)) continue;
      if (person.chance(0.05)) continue;
      const midnight = startOfDay(day, zone);
      let cursor = midnight + (8 * 60 + person.int(0, 120)) * MS_PER_MINUTE;
      add(personId, zone, "meeting", cursor, cursor + 15 * MS_PER_MINUTE, null);
      cursor += (15 + person.int(0, 20)) * MS_PER_MINUTE;

      const tickets = person.int(1, 4);
      const used = new Set<number>();
      for (let t = 0; t < tickets; t++) {
        const issueId = person.pick(pool);
        const minutes = person.int(6, 36) * 5;
        const start = cursor;
        const end = start + minutes * MS_PER_MINUTE;
        if (person.chance(0.15)) add(personId, zone, "meeting", start, start + 30 * MS_PER_MINUTE, issueId);
        if (coverage > 0) {
          const covered = minutes * coverage * (0.8 + person.next() * 0.4);
          for (let b = 0; b < bursts; b++) {
            const length = covered / bursts;
            const offset = person.next() * Math.max(0, minutes - length);
            for (let m = 0; m < length; m += HEARTBEAT_STEP_MINUTES) {
              const at = start + (offset + m) * MS_PER_MINUTE;
              add(personId, zone, "ide_heartbeat", at, at, issueId, { machine: person.pick(machines), project: "app" });
            }
          }
        }
        const commits = person.int(0, Math.ceil(minutes / 60));
        for (let c = 0; c < commits; c++) {
          const at = start + Math.round(((c + 1) / commits) * minutes * (0.7 + person.next() * 0.3)) * MS_PER_MINUTE;
          add(personId, zone, "commit", at, at, issueId, { repo: "app", metrics: { linesAdded: person.int(1, 200), linesDeleted: person.int(0, 80), filesChanged: person.int(1, 8) } });
        }
        for (let a = person.int(0, 2); a > 0; a--) {
          const at = start + person.int(0, minutes) * MS_PER_MINUTE;
          add(personId, zone, "issue_action", at, at, issueId);
        }
        if (!used.has(issueId)) world.labels.push({ personId, day, issueId, seconds: 0 });
        used.add(issueId);
        const label = world.labels.find((l) => l.personId === personId && l.day === day && l.issueId === issueId);
        if (label) label.seconds += Math.round(minutes / 15) * 15 * 60;
        cursor = end + person.int(0, 30) * MS_PER_MINUTE;
      }
      if (person.chance(0.3)) {
        const issueId = personId * 100 + 50 + person.int(0, 9);
        const at = cursor + person.int(10, 60) * MS_PER_MINUTE;
        add(personId, zone, "issue_action", at, at, issueId);
        world.labels.push({ personId, day, issueId, seconds: person.chance(0.6) ? 0 : 15 * 60 });
      }
    }
  }
  return world;
}

/** Labelled rows of a world, with features from the rule-based allocation as a store would give them. */
export function labelledRowsOf(world: TimeWorld): LabelledTimeRow[] {
  const allocation = allocateDetailed({ activities: world.activities, links: world.links, zones: world.zones });
  const index = new TimeFeatureIndex(allocation);
  return world.labels.map((label) => {
    const row = index.rowFor(label.personId, label.day, label.issueId);
    let source: TimeLabelSource = "edited";
    if (label.seconds === 0) source = "rejected";
    else if (label.seconds === row.deterministicSeconds) source = "accepted";
    return { ...row, label: label.seconds, labelSource: source };
  });
}

const SOURCES: Record<ActivityKind, ActivityRecord["source"]> = {
  commit: "git",
  pull_request: "git",
  ide_heartbeat: "wakatime",
  ide_session: "activitywatch",
  issue_action: "jira",
  meeting: "ics",
  focus: "ics",
  out_of_office: "ics",
};
