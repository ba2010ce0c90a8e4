import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCapacityTeam } from "../../insights/team-capacity-seed.js";
import { Store } from "../../store/store.js";
import { runCli } from "../program.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("worklens teams", () => {
  let folder: string;
  let storeFile: string;
  let people: number[];

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-teams-"));
    storeFile = join(folder, "store.sqlite");
    const store = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      ({ people } = await seedCapacityTeam(store));
    } finally {
      await store.close();
    }
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    const code = await runCli({ argv: ["--store", storeFile, ...args], env: {}, out: (text) => (out += text), err: (text) => (err += text), stderrIsTty: false });
    return { code, out, err };
  }

  async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
    const store = await Store.open({ kind: "sqlite", file: storeFile });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  it("creates a team and sets members", async () => {
    const p1 = String(people[0]);
    expect((await run("teams", "create", "web", "--manager", "p2@example.com", "--ai-mode", "automatic")).out).toBe("created team web (2) with AI mode automatic\n");
    const added = await run("teams", "add-member", "web", "P1@example.com", "--share", "0.5", "--days", "1,2,3", "--hours", "6", "--tz", "Europe/Berlin");
    expect(added.out).toBe(`person ${p1} in team 2: share 0.5, days 1,2,3, 6 h per day, zone Europe/Berlin\n`);
    expect((await run("teams", "set-ai-mode", "2", "off")).out).toBe('team web: AI mode off; it applies from the next "worklens suggest" or refresh\n');
    expect((await run("teams", "set-manager", "web", "none")).out).toBe("team web: manager none\n");

    const shown = JSON.parse((await run("teams", "show", "web", "--json")).out) as { aiMode: string; managerPersonId: number | null; members: unknown[] };
    expect(shown.aiMode).toBe("off");
    expect(shown.managerPersonId).toBeNull();
    expect(shown.members).toEqual([{ teamId: 2, personId: people[0], share: 0.5, workingDays: [1, 2, 3], hoursPerDay: 6, tz: "Europe/Berlin" }]);

    expect((await run("teams", "remove-member", "web", p1)).out).toBe(`removed person ${p1} from team web\n`);
    expect((await run("teams", "delete", "web")).out).toBe("deleted team web (2)\n");
    const changes = await withStore(async (store) => (await store.audit.list({ action: "team.change" })).map((e) => [e.actor, e.details["change"]]));
    expect(changes).toEqual([["cli", "create"], ["cli", "member.set"], ["cli", "ai_mode"], ["cli", "manager"], ["cli", "member.remove"], ["cli", "delete"]]);
  });

  it("rejects bad arguments", async () => {
    const badMode = await run("teams", "create", "web", "--ai-mode", "sometimes");
    expect(badMode.code).toBe(2);
    expect(badMode.err).toContain('invalid --ai-mode "sometimes": expected off, feedback or automatic');
    const unknownPerson = await run("teams", "add-member", "platform", "nobody@example.com");
    expect(unknownPerson.code).toBe(4);
    expect(unknownPerson.err).toContain("no person with the e-mail address nobody@example.com");
    const badDays = await run("teams", "add-member", "platform", "p1@example.com", "--days", "1,,2");
    expect(badDays.code).toBe(2);
    expect(badDays.err).toContain('invalid --days "1,,2": expected ISO weekday numbers separated by commas');
    const badShare = await run("teams", "add-member", "platform", "p1@example.com", "--share", "2");
    expect(badShare.code).toBe(2);
    expect(badShare.err).toContain("invalid share 2: expected a number from 0 to 1");
    expect((await run("teams", "show", "missing")).code).toBe(4);
  });

  it("prints capacity per week", async () => {
    const result = await run("teams", "capacity", "platform", "--from", "2025-03-10", "--to", "2025-03-17");
    expect(result.code).toBe(0);
    expect(result.out).toContain("2025-W11 (2025-03-10 to 2025-03-16): 6 people with time, committed 196.00 h by all members, suggested 20.50 h, confirmed 4.00 h\n");
    expect(result.out).toContain("fewer than 5 people  8.50");
    expect(result.out).not.toContain("OTHER");
    expect(result.out).toContain("2025-W12 (2025-03-17 to 2025-03-23): not shown, fewer than 5 people had time this week\n");

    const small = await run("teams", "capacity", "platform", "--from", "2025-03-17", "--to", "2025-03-17");
    expect(small.code).toBe(7);
    expect(small.err).toContain('team "platform" has fewer people with time from 2025-03-17 to 2025-03-23 than the minimum group size of 5, so it is not shown');
  });
});
