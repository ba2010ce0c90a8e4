import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "./test-support/backends.js";
import type { Store } from "./store.js";
import type { Commitment } from "./team-repository.js";

const FULL_TIME: Commitment = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };

async function person(store: Store, email: string): Promise<number> {
  const { personId } = await store.people.resolve({ source: "git", externalId: email, email });
  return personId;
}

async function errorOf(promise: Promise<unknown>): Promise<WorklensError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected a WorklensError");
}

describe.each(BACKENDS)("TeamRepository on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("creates, renames, lists and deletes teams", async () => {
    const { teams } = handle.store;
    const manager = await person(handle.store, "lead@example.com");
    const created = await teams.create({ name: " platform ", managerPersonId: manager }, 1000);
    expect(created).toEqual({ id: created.id, name: "platform", managerPersonId: manager, aiMode: "feedback", createdAt: 1000 });

    const other = await teams.create({ name: "web", aiMode: "off" }, 2000);
    expect((await teams.rename(other.id, "frontend")).name).toBe("frontend");
    expect((await teams.list()).map((t) => [t.name, t.aiMode])).toEqual([["platform", "feedback"], ["frontend", "off"]]);

    const duplicate = await errorOf(teams.create({ name: "frontend" }));
    expect(duplicate.code).toBe("CONFLICT");
    expect(duplicate.message).toBe('a team named "frontend" already exists');

    await teams.setMember(other.id, manager, FULL_TIME);
    await teams.delete(other.id);
    expect(await teams.get(other.id)).toBeUndefined();
    expect(await teams.teamsOf(manager)).toEqual([]);
    expect((await errorOf(teams.delete(other.id))).code).toBe("NOT_FOUND");
  });

  it("sets members, managers and lookups", async () => {
    const { teams } = handle.store;
    const ana = await person(handle.store, "ana@example.com");
    const ben = await person(handle.store, "ben@example.com");
    const team = await teams.create({ name: "platform" });

    await teams.setMember(team.id, ana, { share: 0.5, workingDays: [5, 1, 3], hoursPerDay: 7.5, tz: "Europe/Berlin" });
    await teams.setMember(team.id, ben, FULL_TIME);
    await teams.setMember(team.id, ben, { ...FULL_TIME, share: 0.8 });
    expect(await teams.membersOf(team.id)).toEqual([
      { teamId: team.id, personId: ana, share: 0.5, workingDays: [1, 3, 5], hoursPerDay: 7.5, tz: "Europe/Berlin" },
      { teamId: team.id, personId: ben, share: 0.8, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null },
    ]);

    expect(await teams.isManagerOf(ana, team.id)).toBe(false);
    await teams.setManager(team.id, ana);
    expect(await teams.isManagerOf(ana, team.id)).toBe(true);
    expect(await teams.isManagerOf(ben, team.id)).toBe(false);
    expect((await teams.teamsManagedBy(ana)).map((t) => t.id)).toEqual([team.id]);
    expect(await teams.teamsManagedBy(ben)).toEqual([]);
    expect((await teams.teamsOf(ben)).map((t) => t.name)).toEqual(["platform"]);

    expect(await teams.removeMember(team.id, ben)).toBe(true);
    expect(await teams.removeMember(team.id, ben)).toBe(false);
    expect((await teams.membersOf(team.id)).map((m) => m.personId)).toEqual([ana]);
    await teams.setManager(team.id, null);
    expect(await teams.isManagerOf(ana, team.id)).toBe(false);
  });

  it("rejects invalid commitments by field", async () => {
    const { teams } = handle.store;
    const ana = await person(handle.store, "ana@example.com");
    const team = await teams.create({ name: "platform" });
    const cases: [Partial<Commitment>, string][] = [
      [{ share: 1.5 }, `member ${String(ana)} of team ${String(team.id)}: invalid share 1.5: expected a number from 0 to 1`],
      [{ share: Number.NaN }, `member ${String(ana)} of team ${String(team.id)}: invalid share NaN: expected a number from 0 to 1`],
      [{ workingDays: [] }, `member ${String(ana)} of team ${String(team.id)}: working days are missing`],
      [{ workingDays: [0, 1] }, `member ${String(ana)} of team ${String(team.id)}: invalid working day 0: expected a whole number from 1 (Monday) to 7 (Sunday)`],
      [{ workingDays: [1, 1] }, `member ${String(ana)} of team ${String(team.id)}: working days 1,1 repeat a day`],
      [{ hoursPerDay: 0 }, `member ${String(ana)} of team ${String(team.id)}: invalid hours per day 0: expected more than 0 and at most 24`],
      [{ hoursPerDay: 25 }, `member ${String(ana)} of team ${String(team.id)}: invalid hours per day 25: expected more than 0 and at most 24`],
      [{ tz: "Mars/Olympus" }, `member ${String(ana)} of team ${String(team.id)}: invalid time zone "Mars/Olympus"`],
    ];
    for (const [change, message] of cases) {
      const error = await errorOf(teams.setMember(team.id, ana, { ...FULL_TIME, ...change }));
      expect(error.code).toBe("USAGE");
      expect(error.message).toBe(message);
    }
    expect(await teams.membersOf(team.id)).toEqual([]);

    expect((await errorOf(teams.setMember(team.id, 9999, FULL_TIME))).message).toBe("person 9999 not found");
    expect((await errorOf(teams.setMember(9999, ana, FULL_TIME))).message).toBe("team 9999 not found");
    expect((await errorOf(teams.create({ name: "  " }))).message).toBe('invalid team name "  ": expected 1 to 100 characters');
  });

  it("aiModeByPerson takes the strictest team", async () => {
    const { teams, settings } = handle.store;
    const [ana, ben, cai, dan] = [
      await person(handle.store, "ana@example.com"),
      await person(handle.store, "ben@example.com"),
      await person(handle.store, "cai@example.com"),
      await person(handle.store, "dan@example.com"),
    ];
    const off = await teams.create({ name: "off", aiMode: "off" });
    const feedback = await teams.create({ name: "feedback", aiMode: "feedback" });
    const automatic = await teams.create({ name: "automatic", aiMode: "automatic" });
    await teams.setMember(automatic.id, ana, FULL_TIME);
    await teams.setMember(automatic.id, ben, FULL_TIME);
    await teams.setMember(feedback.id, ben, FULL_TIME);
    await teams.setMember(automatic.id, cai, FULL_TIME);
    await teams.setMember(off.id, cai, FULL_TIME);

    let modes = await teams.aiModeByPerson();
    expect([...modes.entries()]).toEqual([[ana, "automatic"], [ben, "feedback"], [cai, "off"], [dan, "feedback"]]);

    await settings.set("privacy.defaultAiMode", JSON.stringify("off"));
    await teams.setAiMode(off.id, "automatic");
    modes = await teams.aiModeByPerson();
    expect([...modes.entries()]).toEqual([[ana, "automatic"], [ben, "feedback"], [cai, "automatic"], [dan, "off"]]);

    await settings.set("privacy.defaultAiMode", JSON.stringify("sometimes"));
    expect((await errorOf(teams.aiModeByPerson())).message).toBe('setting privacy.defaultAiMode is "sometimes", not one of "off", "feedback", "automatic"');
  });
});
