import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import type { ImportReport } from "../../domain/types.js";
import { importActivityWatch } from "../../ingest/activitywatch/import.js";
import { importGit } from "../../ingest/git/import.js";
import { importIcs } from "../../ingest/ics/import.js";
import { importJira } from "../../ingest/jira/import.js";
import { importWakatime } from "../../ingest/wakatime/import.js";
import { parsePerson } from "../../people/person-arg.js";
import type { Store } from "../../store/store.js";
import { withStore, type CommandContext } from "../context.js";
import { formatImportReport } from "../output.js";

/**
 * Import each file in turn. A file in which every record was skipped is almost
 * always the wrong kind of file or a cut-off one, so the command then exits with
 * INVALID_INPUT after the other files are done.
 */
async function importEach(context: CommandContext, files: readonly string[], work: (store: Store, file: string) => Promise<ImportReport>): Promise<void> {
  const rejected: string[] = [];
  await withStore(context, async (store) => {
    for (const file of files) {
      const report = await work(store, file);
      context.out(formatImportReport(report));
      if (report.imported === 0 && report.duplicate === 0 && report.skipped.length > 0) rejected.push(file);
    }
  });
  if (rejected.length > 0) {
    throw new WorklensError("INVALID_INPUT", `no record could be imported from ${rejected.join(", ")}`, "check that each file is of the kind the command expects and is complete; the skip reasons are listed above");
  }
}

export function registerImport(program: Command, context: () => CommandContext): void {
  const command = program.command("import").description("import activity from files or local paths (re-importing adds nothing)");

  command
    .command("jira")
    .description("Jira REST JSON: search responses (v2, v3 /search/jql pages), single issues, changelog or worklog pages")
    .argument("<files...>", "JSON files")
    .option("--issue <key>", "issue key for changelog or worklog page files, which do not name their issue")
    .action(async (files: string[], options: { issue?: string }) => {
      await importEach(context(), files, (store, file) => importJira(store, file, options.issue === undefined ? {} : { issueKey: options.issue }));
    });

  command
    .command("git")
    .description("git metadata from a local repository path or a `git log --all --date-order --format=fuller --date=iso-strict --numstat` file")
    .argument("<paths...>", "repository folders or log files")
    .option("--repo <name>", "repository name to record (default: folder or file name)")
    .action(async (paths: string[], options: { repo?: string }) => {
      await importEach(context(), paths, (store, path) => importGit(store, path, options.repo === undefined ? {} : { repo: options.repo }));
    });

  command
    .command("ics")
    .description("an iCalendar (.ics) file of one person: meetings, focus time and out-of-office")
    .argument("<files...>", ".ics files")
    .requiredOption("--person <email>", "whose calendar it is: e-mail, or \"Name <e-mail>\"")
    .option("--zone <iana>", "zone for all-day events when the calendar names none (default UTC)")
    .action(async (files: string[], options: { person: string; zone?: string }) => {
      const person = parsePerson("ics", options.person);
      await importEach(context(), files, (store, file) => importIcs(store, file, { person, ...(options.zone === undefined ? {} : { defaultZone: options.zone }) }));
    });

  command
    .command("wakatime")
    .description("WakaTime heartbeats: a JSON array as editor plugins send to heartbeats.bulk")
    .argument("<files...>", "JSON files")
    .requiredOption("--person <email>", "whose heartbeats they are: e-mail, or \"Name <e-mail>\"")
    .option("--machine <name>", "machine name, as the plugin's X-Machine-Name header gives it")
    .action(async (files: string[], options: { person: string; machine?: string }) => {
      const person = parsePerson("wakatime", options.person);
      await importEach(context(), files, (store, file) => importWakatime(store, file, { person, ...(options.machine === undefined ? {} : { machine: options.machine }) }));
    });

  command
    .command("activitywatch")
    .description("ActivityWatch bucket export JSON (aw-server /api/0/export)")
    .argument("<files...>", "JSON files")
    .requiredOption("--person <email>", "whose computer it is: e-mail, or \"Name <e-mail>\"")
    .action(async (files: string[], options: { person: string }) => {
      const person = parsePerson("activitywatch", options.person);
      await importEach(context(), files, (store, file) => importActivityWatch(store, file, { person }));
    });
}
