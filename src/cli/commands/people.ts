import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { resolveZone } from "../../domain/time.js";
import { applyMappingFile } from "../../people/mapping.js";
import { withStore, type CommandContext } from "../context.js";
import { renderTable } from "../../insights/format.js";

function parseId(value: string, label: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new WorklensError("USAGE", `invalid ${label} "${value}": expected a positive whole number`, 'run "worklens people list" to see ids');
  }
  return id;
}

export function registerPeople(program: Command, context: () => CommandContext): void {
  const people = program.command("people").description("list people and fix identity matching");

  people
    .command("list")
    .description("list people with their identities per source")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const list = await store.people.list();
        if (options.json === true) {
          ctx.out(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        const rows = list.map((p) => [String(p.id), p.displayName ?? "", p.tz ?? "", p.identities.map((i) => `${i.source}:${i.externalId} (#${i.id})`).join(", ")]);
        ctx.out(renderTable(["id", "name", "zone", "identities (#identity id)"], rows));
      }, { mustExist: true });
    });

  people
    .command("merge")
    .description("merge person FROM into person INTO (identities, activities, events, worklogs)")
    .argument("<into>", "person id to keep")
    .argument("<from>", "person id to merge and delete")
    .action(async (into: string, from: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        await store.transaction((tx) => tx.people.merge(parseId(into, "person id"), parseId(from, "person id")));
        ctx.out(`merged person ${from} into ${into}; run "worklens suggest" to refresh suggestions\n`);
      }, { mustExist: true });
    });

  people
    .command("split")
    .description("move one identity, with its activities, to a new person")
    .argument("<identity>", "identity id (shown as #id by people list)")
    .action(async (identity: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const personId = await store.transaction((tx) => tx.people.split(parseId(identity, "identity id")));
        ctx.out(`identity ${identity} is now person ${personId}\n`);
      }, { mustExist: true });
    });

  people
    .command("zone")
    .description("set a person's IANA time zone, used to cut their days")
    .argument("<person>", "person id")
    .argument("<zone>", "IANA zone such as Europe/Berlin")
    .action(async (person: string, zone: string) => {
      if (!resolveZone(zone)) throw new WorklensError("USAGE", `invalid time zone "${zone}"`, "use an IANA name such as Europe/Berlin or America/New_York");
      const ctx = context();
      await withStore(ctx, async (store) => {
        await store.people.setTimeZone(parseId(person, "person id"), zone);
        ctx.out(`person ${person} now uses ${zone}\n`);
      }, { mustExist: true });
    });

  people
    .command("map")
    .description("apply a mapping file that says which identities are one person (overrides automatic matching)")
    .argument("<file>", "JSON mapping file")
    .action(async (file: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const result = await applyMappingFile(store, file);
        ctx.out(`mapping ${file}: ${result.applied} people applied, ${result.merged} merges, ${result.skipped.length} skipped\n`);
        for (const skip of result.skipped) ctx.out(`  skipped ${skip.record}: ${skip.reason}\n`);
      }, { mustExist: true });
    });
}
