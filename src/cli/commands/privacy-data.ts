import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { erasePerson } from "../../governance/person-erase.js";
import { exportPerson } from "../../governance/person-export.js";
import { resolvePersonRef } from "../../governance/person-ref.js";
import { purgeExpired, type PurgeReport } from "../../governance/purge.js";
import { readRetentionPolicy, setRetentionDays } from "../../governance/retention-settings.js";
import { renderTable } from "../../insights/format.js";
import { MAX_RETENTION_DAYS, RETENTION_CLASSES, parseRetentionDays, requireRetentionClass } from "../../privacy/retention.js";
import { withStore, type CommandContext } from "../context.js";

/** Audit actor of every change made from the command line. */
const CLI_ACTOR = "cli";

function describeCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([table, n]) => `${table} ${String(n)}`);
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

function renderPurge(report: PurgeReport): string {
  const rows = report.classes.map((c) => [c.dataClass, c.days === null ? "keep" : String(c.days), c.cutoff ?? "", describeCounts(c.removed), describeCounts(c.kept)]);
  const title = report.dryRun ? `dry run at ${report.at}: would remove ${String(report.totalRemoved)} rows\n` : `purged ${String(report.totalRemoved)} rows at ${report.at}\n`;
  return title + renderTable(["class", "days", "cut-off", report.dryRun ? "would remove" : "removed", "kept past cut-off"], rows);
}

/** Adds the `worklens privacy` subcommands of export, delete, purge and retention. */
export function registerPrivacyData(privacy: Command, context: () => CommandContext): void {
  privacy
    .command("export")
    .description("write everything stored about one person as one JSON document (identities, activities with texts, links, suggestions, reviews, worklogs, audit entries); audited")
    .argument("<person>", "person id, or an e-mail address of the person")
    .option("--out <file>", "write to this file (created with mode 0600) instead of standard output")
    .action(async (person: string, options: { out?: string }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const personId = await resolvePersonRef(store, person);
        const chunks = await exportPerson(store, personId, { now: Date.now(), actor: CLI_ACTOR });
        if (options.out === undefined) {
          for await (const chunk of chunks) ctx.out(chunk);
          return;
        }
        await pipeline(Readable.from(chunks), createWriteStream(options.out, { mode: 0o600 }));
        ctx.err(`exported person ${String(personId)} to ${options.out}\n`);
      }, { mustExist: true });
    });

  privacy
    .command("delete")
    .description("delete a person for good: their rows, their data key (crypto-shredding), then compact the store; prints the deletion receipt as JSON, which names the person by a keyed pseudonym and ends with the SHA-256 of its other fields")
    .argument("<person>", "person id, or an e-mail address of the person")
    .option("--yes", "confirm the deletion; it cannot be undone")
    .action(async (person: string, options: { yes?: boolean }) => {
      if (options.yes !== true) {
        throw new WorklensError("USAGE", `deleting person "${person}" needs --yes`, "export the person first with `worklens privacy export` if a copy is needed, then run again with --yes");
      }
      const ctx = context();
      await withStore(ctx, async (store) => {
        const personId = await resolvePersonRef(store, person);
        const receipt = await erasePerson(store, personId, { now: Date.now(), actor: CLI_ACTOR });
        ctx.out(`${JSON.stringify(receipt, null, 2)}\n`);
        if (receipt.worklogsInJira > 0) ctx.err(`${String(receipt.worklogsInJira)} of the person's worklogs are also in Jira; delete them there if they must go too\n`);
      }, { mustExist: true });
    });

  privacy
    .command("purge")
    .description("remove data older than its class's retention period (see `privacy retention show`); audited unless --dry-run")
    .option("--dry-run", "count what would be removed, remove nothing")
    .option("--json", "print the report as JSON")
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const ctx = context();
      const report = await withStore(ctx, (store) => purgeExpired(store, { now: Date.now(), dryRun: options.dryRun === true, actor: CLI_ACTOR }), { mustExist: true });
      ctx.out(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderPurge(report));
    });

  const retention = privacy.command("retention").description("days kept per data class before `privacy purge` removes rows");

  retention
    .command("show")
    .description("print the days kept per data class ('keep' means forever)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      const policy = await withStore(ctx, (store) => readRetentionPolicy(store));
      if (options.json === true) {
        ctx.out(`${JSON.stringify(policy, null, 2)}\n`);
        return;
      }
      ctx.out(renderTable(["class", "days"], RETENTION_CLASSES.map((name) => [name, policy[name] === null ? "keep" : String(policy[name])])));
    });

  retention
    .command("set")
    .description("set the days kept for one data class; audited as a settings change")
    .argument("<class>", `data class: ${RETENTION_CLASSES.join(", ")}`)
    .argument("<days>", `whole days from 1 to ${String(MAX_RETENTION_DAYS)}, or "keep" to keep the class forever`)
    .action(async (name: string, daysText: string) => {
      const dataClass = requireRetentionClass(name);
      const days = parseRetentionDays(daysText);
      const ctx = context();
      await withStore(ctx, (store) => setRetentionDays(store, dataClass, days, { actor: CLI_ACTOR, at: Date.now() }));
      ctx.out(`${dataClass}: ${days === null ? "kept forever" : `${String(days)} days`}\n`);
    });
}
