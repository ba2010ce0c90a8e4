import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { verifyAuditLog, type AuditVerification } from "../../governance/audit-verify.js";
import { renderTable } from "../../insights/format.js";
import { withStore, type CommandContext } from "../context.js";

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

/** Parses a --from or --to value: a UTC day (YYYY-MM-DD) or an ISO 8601 instant with a zone. */
function parseInstant(option: string, value: string, endOfDay: boolean): number {
  if (DATE_ONLY.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(start)) return endOfDay ? start + DAY_MS : start;
  } else if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) {
    const instant = Date.parse(value);
    if (!Number.isNaN(instant)) return instant;
  }
  throw new WorklensError("USAGE", `invalid ${option} "${value}": expected a day such as 2025-03-09 or an instant such as 2025-03-09T14:00:00Z`, "days are UTC days; an instant needs a zone (Z or +01:00)");
}

function describeVerification(result: AuditVerification): string {
  const range = result.firstSeq === null || result.lastSeq === null ? "" : ` (seq ${String(result.firstSeq)} to ${String(result.lastSeq)})`;
  const head = result.head === undefined ? "no head" : `head ${String(result.head.seq)} ${result.head.hash}`;
  return `${String(result.entries)} entries${range}, ${String(result.purged)} purged, ${head}`;
}

/** Registers `worklens audit`: verify the chain, print its head, list entries. */
export function registerAudit(program: Command, context: () => CommandContext): void {
  const audit = program.command("audit").description("the hash-chained audit log of reads of personal data, exports, deletions, setting changes and logins");

  audit
    .command("verify")
    .description("check every entry's hash and link, and the head; exits with 7 when an entry was edited or removed")
    .option("--expect-head <hash>", "a head hash printed earlier by `worklens audit head` and kept outside the database; it must still be in the chain")
    .option("--json", "print the result as JSON")
    .action(async (options: { expectHead?: string; json?: boolean }) => {
      const expectHead = options.expectHead?.toLowerCase();
      if (expectHead !== undefined && !HEX_HASH.test(expectHead)) {
        throw new WorklensError("USAGE", `invalid --expect-head "${options.expectHead ?? ""}": expected 64 hexadecimal characters`, "pass the hash `worklens audit head` printed");
      }
      const ctx = context();
      const result = await withStore(ctx, (store) => verifyAuditLog(store, { expectHead }), { mustExist: true });
      if (options.json === true) ctx.out(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.intact) ctx.out(`audit log intact: ${describeVerification(result)}\n`);
      else for (const problem of result.problems) ctx.out(`${problem.kind}${problem.seq === null ? "" : ` at ${String(problem.seq)}`}: ${problem.message}\n`);
      if (!result.intact) {
        const first = result.problems[0];
        throw new WorklensError(
          "CONFLICT",
          `audit log is not intact: ${String(result.problems.length)} problem(s), the first: ${first?.message ?? "unknown"}`,
          "treat the store as tampered with: compare with a backup and the head hash kept outside the database",
        );
      }
    });

  audit
    .command("head")
    .description("print the newest entry's seq and hash; keep the hash outside the database and check it later with `verify --expect-head`")
    .action(async () => {
      const ctx = context();
      const head = await withStore(ctx, (store) => store.audit.head(), { mustExist: true });
      if (head === undefined) throw new WorklensError("NOT_FOUND", "the audit log is empty: there is no head yet", "run a command that reads or changes personal data first");
      ctx.out(`${String(head.seq)} ${head.hash}\n`);
    });

  audit
    .command("list")
    .description("list audit entries in seq order (for auditors); the listing is itself audited as read.audit")
    .option("--from <day>", "first UTC day (YYYY-MM-DD) or instant with a zone, inclusive")
    .option("--to <day>", "last UTC day, inclusive, or instant with a zone, exclusive")
    .option("--actor <actor>", 'only this actor, such as "person:12", "admin", "cli" or "system"')
    .option("--action <action>", 'only this action, such as "settings.change", or every action under a prefix ending in ".", such as "read."')
    .option("--limit <count>", "at most this many entries", "1000")
    .option("--json", "print JSON")
    .action(async (options: { from?: string; to?: string; actor?: string; action?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new WorklensError("USAGE", `invalid --limit "${options.limit}": expected a positive whole number`, "pass a count such as 100");
      }
      const from = options.from === undefined ? undefined : parseInstant("--from", options.from, false);
      const to = options.to === undefined ? undefined : parseInstant("--to", options.to, true);
      const ctx = context();
      await withStore(ctx, async (store) => {
        const entries = await store.audit.list({ from, to, actor: options.actor, action: options.action, limit });
        await store.audit.append({ at: Date.now(), actor: "cli", action: "read.audit", details: { entries: entries.length } });
        if (options.json === true) {
          ctx.out(`${JSON.stringify(entries, null, 2)}\n`);
          return;
        }
        const rows = entries.map((e) => [String(e.seq), new Date(e.at).toISOString(), e.actor, e.action, e.subject ?? "", JSON.stringify(e.details)]);
        ctx.out(renderTable(["seq", "at", "actor", "action", "subject", "details"], rows));
      }, { mustExist: true });
    });
}
