import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { importGit } from "../../ingest/git/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { hours, renderTable, toCsv } from "../../insights/format.js";
import { loadWorklogRows, summarize } from "../../insights/worklog-report.js";
import { EMBEDDING_SECRET } from "../../linking/model-choice.js";
import { linkAndSuggest } from "../../review/pipeline.js";
import { isoWeekStart } from "../../review/weeks.js";
import { Store } from "../../store/store.js";
import { auditTeamChange } from "../../store/team-repository.js";
import { createAccount } from "../../server/auth/accounts.js";
import { generatePassword } from "../../server/auth/password.js";
import { DEFAULT_PORT } from "../../server/config.js";
import type { CommandContext } from "../context.js";
import { formatImportReport } from "../output.js";
import { createProgress } from "../progress.js";
import { allocationOptions, parseAiMode } from "./suggest.js";

/** The bundled Apache Nutch data, found relative to this file in both src/ and dist/. */
export const BUNDLED_DATA = fileURLToPath(new URL("../../../data/nutch/", import.meta.url));

export function registerDemo(program: Command, context: () => CommandContext): void {
  program
    .command("demo")
    .description("the main job on bundled real data: import Apache Nutch Jira issues and git history into a fresh store, link, suggest, summarize")
    .option("--out <folder>", "folder for the demo store and the suggested worklogs CSV", "out/demo")
    .option("--ai <mode>", "on: the bundled learned models; off: the first-version rules only", "on")
    .action(async (options: { out: string; ai: string }) => {
      const ai = parseAiMode(options.ai);
      const ctx = context();
      const out = resolve(options.out);
      mkdirSync(out, { recursive: true });
      const file = join(out, "worklens.sqlite");
      // The demo owns this file: start from nothing so the numbers are the same on every run.
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });

      const store = await Store.open({ kind: "sqlite", file });
      try {
        ctx.out(`worklens demo: Apache Nutch data from ${BUNDLED_DATA}\n`);
        ctx.out(formatImportReport(await importJira(store, join(BUNDLED_DATA, "jira-issues.json"))));
        ctx.out(formatImportReport(await importGit(store, join(BUNDLED_DATA, "git-log.txt"), { repo: "nutch" })));

        const team = await createDemoTeam(store);
        ctx.out(`team nutch: ${String(team.members)} people with activity, manager person ${String(team.managerPersonId)}, AI mode feedback\n`);

        // A fixed embedding key keeps the demo's rankings the same on every run; real stores generate their own.
        await store.settings.setSecret(EMBEDDING_SECRET, createHash("sha256").update("worklens demo embedding").digest());
        const progress = createProgress(ctx.config.progress, "linking");
        const { linking, models } = await linkAndSuggest(store, {
          ai,
          allocation: allocationOptions({}),
          bundledTimeModel: true,
          onProgress: (done, total) => { progress.update(done, total); },
        });
        progress.stop();
        ctx.out(`${linking.activities} activities: ${linking.explicit} linked by issue key, ${linking.ranked} linked by ranking, ${linking.unlinked} left unlinked\n`);
        ctx.out(`models: ${models}\n`);
        const rows = await loadWorklogRows(store);
        const summary = summarize(rows);
        const csvFile = join(out, "suggested-worklogs.csv");
        await writeFile(csvFile, toCsv(rows));

        ctx.out(
          [
            "",
            `people with suggestions: ${summary.people}`,
            `days: ${summary.days} (${summary.personDays} person-days)`,
            `suggested time: ${hours(summary.totalSeconds)} h, of which linked to an issue: ${hours(summary.linkedSeconds)} h (${(summary.linkedShare * 100).toFixed(1)} %)`,
            "",
          ].join("\n"),
        );
        ctx.out(renderTable(["project", "hours"], summary.secondsByProject.map((p) => [p.project, hours(p.seconds)])));
        ctx.out(`\nwrote ${rows.length} suggested worklogs to ${csvFile}\nstore: ${file}\n`);
        if (existsSync(`${file}.key`)) ctx.out(`master key: ${file}.key (the store cannot be read without it)\n`);

        const loginFile = join(out, "web-login.txt");
        const account = await createDemoAccount(store, loginFile);
        if (account !== undefined) {
          ctx.out(`web UI: run \`node dist/cli/main.js --store ${file} serve\`, then open http://127.0.0.1:${String(DEFAULT_PORT)}\n`);
          ctx.out(`web sign-in: login ${DEMO_LOGIN} (person ${String(account.personId)}, admin and manager), password in ${loginFile}\n`);
          if (account.busiestWeek !== undefined) {
            ctx.out(`their busiest week: http://127.0.0.1:${String(DEFAULT_PORT)}/week?week=${account.busiestWeek}\n`);
          }
        }
      } finally {
        await store.close();
      }
    });
}

/** Login name of the demo's web UI account. */
const DEMO_LOGIN = "demo";

/**
 * Creates the web UI account "demo" for the person with the most suggestions, grants
 * them the admin and manager roles, and writes the login and a random password to
 * `loginFile` with mode 0600. Returns undefined when no person has suggestions.
 */
async function createDemoAccount(store: Store, loginFile: string): Promise<{ personId: number; busiestWeek: string | undefined } | undefined> {
  const top = await store.db
    .selectFrom("suggestions")
    .select(["person_id", (eb) => eb.fn.countAll<number>().as("count")])
    .groupBy("person_id")
    .orderBy("count", "desc")
    .orderBy("person_id")
    .executeTakeFirst();
  if (top === undefined) return undefined;
  const personId = top.person_id;

  const password = generatePassword();
  const now = Date.now();
  await store.transaction(async (tx) => {
    await createAccount(tx, { personId, login: DEMO_LOGIN, password }, now);
    await tx.audit.append({ at: now, actor: "cli", action: "account.set-password", subject: `person:${String(personId)}`, details: { created: true, loginChanged: false } });
    for (const role of ["admin", "manager"] as const) {
      if (await tx.roles.grant(personId, role)) await tx.audit.append({ at: now, actor: "cli", action: "role.change", subject: `person:${String(personId)}`, details: { grant: role } });
    }
  });
  // Removed first, because writeFile applies the mode only to a file it creates.
  rmSync(loginFile, { force: true });
  await writeFile(loginFile, `login: ${DEMO_LOGIN}\npassword: ${password}\n`, { mode: 0o600, flag: "wx" });
  return { personId, busiestWeek: await busiestWeek(store, personId) };
}

/**
 * Returns the Monday of the ISO week in which the person has the most suggested time.
 * The web UI opens the newest week, which on the old Nutch data is often a thin one.
 */
async function busiestWeek(store: Store, personId: number): Promise<string | undefined> {
  const rows = await store.db.selectFrom("suggestions").select(["day", "seconds"]).where("person_id", "=", personId).execute();
  const byWeek = new Map<string, number>();
  for (const row of rows) byWeek.set(isoWeekStart(row.day), (byWeek.get(isoWeekStart(row.day)) ?? 0) + row.seconds);
  let best: [string, number] | undefined;
  for (const entry of byWeek) if (best === undefined || entry[1] > best[1]) best = entry;
  return best?.[0];
}

/**
 * Creates the team "nutch" of every person with activity, full time (Monday to Friday,
 * 8 hours, in each person's own zone), managed by the person with the most activities,
 * so the team capacity view has data on the demo store.
 */
async function createDemoTeam(store: Store): Promise<{ members: number; managerPersonId: number | null }> {
  const counts = new Map<number, number>();
  for (const activity of await store.activities.list()) counts.set(activity.personId, (counts.get(activity.personId) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const managerPersonId = ranked[0]?.[0] ?? null;
  await store.transaction(async (tx) => {
    const team = await tx.teams.create({ name: "nutch", managerPersonId, aiMode: "feedback" });
    for (const [personId] of ranked) await tx.teams.setMember(team.id, personId, { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null });
    await auditTeamChange(tx, { at: Date.now(), actor: "cli", teamId: team.id, change: "create", details: { aiMode: "feedback", managerPersonId, members: ranked.length } });
  });
  return { members: ranked.length, managerPersonId };
}
