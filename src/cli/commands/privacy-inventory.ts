import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { buildInventory, type InventoryReportRow } from "../../governance/inventory.js";
import { discardLinkedTexts } from "../../governance/metadata-only.js";
import { renderTable } from "../../insights/format.js";
import { collectionPolicySchema, type CollectionPolicy } from "../../privacy/collection.js";
import { getCollectionPolicy, setCollectionPolicy } from "../../store/privacy-settings.js";
import { withStore, type CommandContext } from "../context.js";

/** Audit actor of every change made from the command line. */
const CLI_ACTOR = "cli";

/** Adds `worklens privacy inventory` and `worklens privacy collection show|set|discard-linked-texts`. */
export function registerPrivacyInventory(privacy: Command, context: () => CommandContext): void {
  privacy
    .command("inventory")
    .description("list every field worklens stores, per source and table: personal data or not, how it is protected, whether the current collection policy collects it, and its retention")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const rows = await buildInventory(store);
        ctx.out(options.json === true ? `${JSON.stringify(rows, null, 2)}\n` : renderInventory(rows));
      });
    });

  const collection = privacy.command("collection").description("show or change the collection policy: text fields kept per source, repository allowlist, metadata-only mode");

  collection
    .command("show")
    .description("print the current collection policy")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const policy = await getCollectionPolicy(store);
        ctx.out(options.json === true ? `${JSON.stringify(policy, null, 2)}\n` : renderPolicy(policy));
      });
    });

  collection
    .command("set")
    .description("change one field of the collection policy; audited as settings.change")
    .argument("<field>", 'dotted field name, such as "git.paths", "calendar.title", "repositories" or "metadataOnly" (see `privacy collection show`)')
    .argument("<value>", 'true or false; for calendar.title full, issue-keys or none; for repositories a comma-separated list of names or globs, or "all"')
    .action(async (field: string, value: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const stored = await store.transaction(async (tx) => {
          const next = withField(await getCollectionPolicy(tx), field, value);
          return setCollectionPolicy(tx, next, { actor: CLI_ACTOR });
        });
        ctx.out(`set ${field}; the policy applies to records imported from now on\n${renderPolicy(stored)}`);
      });
    });

  collection
    .command("discard-linked-texts")
    .description("delete the text of every linked activity now, as metadata-only mode does after linking; needs metadataOnly on")
    .action(async () => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const report = await discardLinkedTexts(store, { actor: CLI_ACTOR });
        if (!report.enabled) {
          throw new WorklensError("CONFLICT", "metadata-only mode is off, so no text was deleted", "turn it on with: worklens privacy collection set metadataOnly true");
        }
        ctx.out(`deleted the text of ${String(report.discarded)} linked activities\n`);
      }, { mustExist: true });
    });
}

/** Returns the policy with one dotted field replaced by a value parsed from the command line. */
function withField(policy: CollectionPolicy, field: string, value: string): unknown {
  const path = field.split(".");
  const known = knownFields(collectionPolicySchema.parse({}));
  if (!known.includes(field)) {
    throw new WorklensError("USAGE", `unknown collection policy field "${field}"`, `use one of: ${known.join(", ")}`);
  }

  const next = structuredClone(policy) as Record<string, unknown>;
  let target = next;
  for (const name of path.slice(0, -1)) target = target[name] as Record<string, unknown>;
  target[path[path.length - 1] ?? field] = parseValue(field, value);
  return next;
}

function parseValue(field: string, value: string): unknown {
  if (field === "repositories") {
    if (value.trim().toLowerCase() === "all") return null;
    return value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  }
  if (field === "calendar.title") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new WorklensError("USAGE", `invalid value "${value}" for ${field}: expected true or false`, `run: worklens privacy collection set ${field} false`);
}

/** Dotted names of every leaf field of a policy. */
function knownFields(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([name, child]) => knownFields(child, prefix === "" ? name : `${prefix}.${name}`));
}

function renderPolicy(policy: CollectionPolicy): string {
  const rows = knownFields(policy).map((field) => [field, JSON.stringify(field.split(".").reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], policy))]);
  return renderTable(["field", "value"], rows);
}

function renderInventory(rows: readonly InventoryReportRow[]): string {
  const body = rows.map((row) => [
    row.source,
    row.table,
    row.column,
    row.personal ? "yes" : "no",
    row.protection,
    row.collected,
    row.retentionClass === null ? "keep" : `${row.retentionClass}: ${row.retention === "keep" ? "keep" : `${String(row.retention)} days`}`,
  ]);
  return renderTable(["source", "table", "column", "personal", "protection", "collected", "retention"], body);
}
