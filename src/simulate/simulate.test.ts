import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { dayOf } from "../domain/time.js";
import { OVERTIME_SECONDS } from "./day-plan.js";
import { simulateTeam } from "./simulate.js";

/** 15 working days from 2024-03-18 cross the European change to summer time on 2024-03-31. */
const SMALL = { people: 7, days: 15, seed: 7 };

describe("simulateTeam", () => {
  const result = simulateTeam(SMALL);
  const { simulation } = result;

  it("same seed gives the same files", () => {
    const again = simulateTeam(SMALL);
    expect(Object.keys(again.files).sort()).toEqual(Object.keys(result.files).sort());
    for (const [path, text] of Object.entries(result.files)) expect(again.files[path], path).toBe(text);
    expect(again.truth).toEqual(result.truth);
  });

  it("another seed gives other data", () => {
    const other = simulateTeam({ ...SMALL, seed: 8 });
    expect(other.files["truth.csv"]).not.toBe(result.files["truth.csv"]);
  });

  it("writes every kind of file", () => {
    const paths = Object.keys(result.files);
    expect(paths).toContain("jira/issues.json");
    expect(paths).toContain("truth.csv");
    expect(paths).toContain("truth.json");
    expect(paths).toContain("README.md");
    expect(paths.filter((p) => p.startsWith("calendar/"))).toHaveLength(SMALL.people);
    expect(paths.filter((p) => p.startsWith("git/")).length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.startsWith("wakatime/")).length).toBeGreaterThanOrEqual(SMALL.people);
  });

  it("README says the data is synthetic", () => {
    const readme = result.files["README.md"] ?? "";
    expect(readme).toMatch(/synthetic data\. It is not real data/);
    expect(readme).toContain(`| seed | ${SMALL.seed} |`);
    expect(readme).toContain("worklens import jira jira/issues.json");
    expect(readme).toMatch(/worklens import wakatime wakatime\/\S+\.json --person \S+@example\.org --machine \S+/);
  });

  it("team has several zones, DST and far east", () => {
    const zones = new Set(result.people.map((p) => p.zone));
    expect(zones.size).toBeGreaterThanOrEqual(5);
    expect(zones).toContain("Europe/Berlin");
    expect(zones).toContain("Asia/Tokyo");
    expect(result.people.some((p) => p.commitment === "part-time")).toBe(true);
  });

  it("issues cover every type and status", () => {
    const types = new Set(result.issues.map((i) => i.type));
    for (const type of ["Epic", "Story", "Task", "Bug", "Sub-task"]) expect(types).toContain(type);
    const statuses = new Set(result.issues.map((i) => i.transitions.at(-1)?.to ?? "To Do"));
    for (const status of ["To Do", "In Progress", "In Review", "Done"]) expect(statuses).toContain(status);
    expect(result.issues.some((i) => i.epicKey !== undefined)).toBe(true);
    expect(result.issues.filter((i) => i.type === "Sub-task").every((i) => i.parentKey !== undefined)).toBe(true);
  });

  it("transitions follow the workflow in time order", () => {
    const order = ["To Do", "In Progress", "In Review", "Done"];
    for (const issue of result.issues) {
      for (const [index, transition] of issue.transitions.entries()) {
        expect(order.indexOf(transition.to), issue.key).toBe(order.indexOf(transition.from) + 1);
        const previous = issue.transitions[index - 1];
        if (previous !== undefined) expect(transition.at, issue.key).toBeGreaterThanOrEqual(previous.at);
      }
    }
  });

  it("truth sums equal the work intervals", () => {
    const fromIntervals = simulation.intervals.reduce((sum, i) => sum + (i.end - i.start) / 1000, 0);
    const fromTruth = result.truth.reduce((sum, row) => sum + row.seconds, 0);
    expect(fromTruth).toBe(fromIntervals);
    expect(result.truth.every((row) => row.seconds > 0)).toBe(true);
  });

  it("a person's day stays within day length", () => {
    const perDay = new Map<string, number>();
    for (const row of result.truth) perDay.set(`${row.personEmail}|${row.day}`, (perDay.get(`${row.personEmail}|${row.day}`) ?? 0) + row.seconds);
    for (const person of result.people) {
      for (const day of simulation.workingDays) {
        const seconds = perDay.get(`${person.email}|${day}`) ?? 0;
        expect(seconds).toBeLessThanOrEqual(24 * 3600);
        expect(seconds, `${person.email} ${day}`).toBeLessThanOrEqual(person.daySeconds + OVERTIME_SECONDS);
      }
    }
    expect([...perDay.keys()].every((key) => simulation.workingDays.includes(key.split("|")[1] ?? ""))).toBe(true);
  });

  it("out-of-office days have no work", () => {
    expect(simulation.outOfOffice.length).toBeGreaterThan(0);
    for (const away of simulation.outOfOffice) {
      expect(simulation.intervals.filter((i) => i.person === away.person && i.day === away.day)).toEqual([]);
    }
  });

  it("work never overlaps itself", () => {
    const byPerson = new Map<number, { start: number; end: number }[]>();
    for (const i of simulation.intervals) byPerson.set(i.person, [...(byPerson.get(i.person) ?? []), i]);
    for (const list of byPerson.values()) {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      for (let k = 1; k < sorted.length; k += 1) expect(sorted[k]?.start).toBeGreaterThanOrEqual(sorted[k - 1]?.end ?? 0);
    }
  });

  it("days are local days in far zones", () => {
    for (const interval of simulation.intervals) {
      const zone = result.people[interval.person]?.zone ?? "UTC";
      expect(dayOf(interval.start, zone)).toBe(interval.day);
      expect(dayOf(interval.end - 1, zone)).toBe(interval.day);
    }
    // A Tokyo morning is the previous UTC day, a Los Angeles evening the next one.
    const tokyo = result.people.findIndex((p) => p.zone === "Asia/Tokyo");
    const angeles = result.people.findIndex((p) => p.zone === "America/Los_Angeles");
    const tokyoMorning = simulation.intervals.filter((i) => i.person === tokyo && dayOf(i.start, "UTC") < i.day);
    const angelesEvening = simulation.intervals.filter((i) => i.person === angeles && dayOf(i.end - 1, "UTC") > i.day);
    expect(tokyoMorning.length).toBeGreaterThan(0);
    expect(angelesEvening.length).toBeGreaterThan(0);
  });

  it("stand-up is at 09:30 local time", () => {
    const berlin = result.files["calendar/ada.ashford.ics"] ?? "";
    expect(berlin).toContain("DTSTART;TZID=Europe/Berlin:20240318T093000");
    expect(berlin).toMatch(/RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20240405T\d{6}Z/);
    const tokyo = result.files["calendar/bram.ashford.ics"] ?? "";
    expect(tokyo).toContain("DTSTART;TZID=Asia/Tokyo:20240318T093000");
  });

  it("traces come from the truth", () => {
    const keyed = simulation.intervals.filter((i) => i.kind === "ticket");
    expect(keyed.some((i) => !i.traced)).toBe(true);
    expect(simulation.heartbeats.length).toBeGreaterThan(0);
    for (const beat of simulation.heartbeats.slice(0, 2000)) {
      const inside = simulation.intervals.some((i) => i.person === beat.person && i.start <= beat.at && beat.at < i.end && i.issueKey !== null);
      expect(inside).toBe(true);
    }
    const machinesPerPerson = new Map<number, Set<string>>();
    for (const beat of simulation.heartbeats) machinesPerPerson.set(beat.person, (machinesPerPerson.get(beat.person) ?? new Set()).add(beat.machine));
    expect([...machinesPerPerson.values()].some((set) => set.size === 2)).toBe(true);
    const messages = simulation.commits.map((c) => c.message[0] ?? "");
    expect(messages.some((m) => /^[A-Z]+-\d+ /.test(m))).toBe(true);
    expect(messages.some((m) => !/[A-Z]+-\d+/.test(m))).toBe(true);
  });

  it("truth CSV has a header and empty keys", () => {
    const lines = (result.files["truth.csv"] ?? "").trim().split("\n");
    expect(lines[0]).toBe("person_email,day,issue_key,true_seconds");
    expect(lines.length).toBe(result.truth.length + 1);
    expect(lines.some((line) => /^[^,]+,\d{4}-\d{2}-\d{2},,\d+$/.test(line))).toBe(true);
  });
});

describe("simulateTeam options", () => {
  it("one person works alone", () => {
    const alone = simulateTeam({ people: 1, days: 3 });
    expect(alone.people).toHaveLength(1);
    expect(alone.truth.length).toBeGreaterThan(0);
  });

  it("custom project keys name the issues", () => {
    const custom = simulateTeam({ people: 2, days: 2, projectKeys: ["ALPHA", "BETA2"] });
    expect(new Set(custom.issues.map((i) => i.projectKey))).toEqual(new Set(["ALPHA", "BETA2"]));
  });

  it.each([
    [{ people: 0 }, /invalid people 0/],
    [{ days: 1.5 }, /invalid days 1.5/],
    [{ start: "2024-02-30" }, /invalid start date/],
    [{ projectKeys: ["web"] }, /invalid Jira project key "web"/],
    [{ projectKeys: ["WEB", "WEB"] }, /repeat a key/],
  ])("rejects %j", (options, message) => {
    expect(() => simulateTeam(options)).toThrow(WorklensError);
    expect(() => simulateTeam(options)).toThrow(message);
  });
});
