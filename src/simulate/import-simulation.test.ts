import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAllocation } from "../allocation/run-allocation.js";
import { runLinking } from "../linking/run-linking.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { simulateCorrections } from "./corrections.js";
import { loadNamedSuggestions, ticketDayError } from "./evaluate.js";
import { importSimulation } from "./import-simulation.js";
import { simulateTeam, writeSimulation } from "./simulate.js";

const result = simulateTeam({ people: 5, days: 10, seed: 3 });
const days = result.simulation.workingDays;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "worklens-simulate-"));
  await writeSimulation(folder, result);
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe.each(BACKENDS)("importSimulation on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("imports every file without skips", async () => {
    const reports = await importSimulation(handle.store, folder);

    expect(reports.map((r) => r.file.slice(folder.length + 1)).sort()).toEqual(result.imports.map((s) => s.file).sort());
    for (const report of reports) {
      expect(report.skipped, report.file).toEqual([]);
      expect(report.warnings, report.file).toEqual([]);
      expect(report.imported, report.file).toBeGreaterThan(0);
    }
    const heartbeats = reports.filter((r) => r.source === "wakatime").reduce((sum, r) => sum + r.imported, 0);
    expect(heartbeats).toBe(result.simulation.heartbeats.length);
    const commits = reports.filter((r) => r.source === "git").reduce((sum, r) => sum + r.imported, 0);
    expect(commits).toBe(result.simulation.commits.length);
  });

  it("joins each person's identities with their zone", async () => {
    await importSimulation(handle.store, folder);

    const people = await handle.store.people.list();
    expect(people).toHaveLength(result.people.length);
    for (const person of result.people) {
      const stored = people.find((p) => p.email === person.email);
      expect(stored?.tz, person.email).toBe(person.zone);
      expect(new Set(stored?.identities.map((i) => i.source))).toEqual(new Set(["jira", "git", "ics", "wakatime"]));
    }
    expect((await handle.store.issues.list()).length).toBe(result.issues.length);
  });

  it("suggestions track the truth", async () => {
    await importSimulation(handle.store, folder);
    // The rule-based ranker, so the check does not depend on a trained model.
    await runLinking(handle.store, { ranker: "rules" });
    await runAllocation(handle.store, { from: days[0], to: days.at(-1) });

    const suggestions = await loadNamedSuggestions(handle.store, days[0], days.at(-1));
    const error = ticketDayError(suggestions, result.truth, days);
    expect(error.ticketDays).toBeGreaterThan(50);
    expect(error.meanAbsoluteErrorSeconds).toBeLessThan(error.meanTrueSeconds / 2);
    expect(error.suggestedSeconds).toBeGreaterThan(error.trueSeconds * 0.7);
    expect(error.suggestedSeconds).toBeLessThan(error.trueSeconds * 1.3);

    const decisions = simulateCorrections(suggestions, result.truth, { seed: 5, share: 1 });
    expect(decisions).toHaveLength(suggestions.length);
    expect(new Set(decisions.map((d) => d.action))).toEqual(new Set(["accept", "edit", "reject"]));
  });
});
