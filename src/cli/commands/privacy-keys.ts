import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { rotateKeys, type RotationReport } from "../../store/key-rotation.js";
import { withStore, type CommandContext } from "../context.js";

/** Formats a rotation report: what changed per table, and how long it took. */
export function formatRotationReport(report: RotationReport): string {
  const lines = [
    report.newVersion === undefined ? "data key: unchanged" : `data key: version ${String(report.newVersion)} is now current`,
    `data keys rewrapped under the current master key: ${String(report.dataKeysRewrapped)}`,
    `person keys rewrapped: ${String(report.personKeysRewrapped)}`,
    "rows re-encrypted (person texts stay under their person keys, which are rewrapped instead, so their tables show 0):",
    ...Object.entries(report.rows).map(([table, count]) => `  ${table}: ${String(count)}`),
    `retired data key versions deleted: ${report.retiredVersions.length === 0 ? "none" : report.retiredVersions.join(", ")}`,
  ];
  if (report.stillInUse.length > 0) {
    lines.push(`retired versions still in use, kept: ${report.stillInUse.join(", ")} (run the rotation again once every worklens process has restarted)`);
  }
  lines.push(`seconds: ${report.seconds.toFixed(1)}`);
  return `${lines.join("\n")}\n`;
}

/** Adds `worklens privacy rotate-keys`. */
export function registerPrivacyKeys(privacy: Command, context: () => CommandContext): void {
  privacy
    .command("rotate-keys")
    .description(
      "create a new tenant data key, re-encrypt the texts under the tenant key in batches (the store stays usable), rewrap the person keys that encrypt people's own texts, then delete old data key versions nothing uses",
    )
    .option("--master", "also rewrap the data keys under the current master key; keep the old master key as WORKLENS_MASTER_KEY_PREVIOUS or a later line of the key file until this finishes")
    .option("--batch-size <rows>", "rows re-encrypted per transaction", "500")
    .option("--json", "print the report as JSON")
    .action(async (options: { master?: boolean; batchSize: string; json?: boolean }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new WorklensError("USAGE", `invalid --batch-size "${options.batchSize}": expected a whole number from 1 to 100000`, "omit it to use 500 rows per transaction");
      }
      const ctx = context();
      await withStore(
        ctx,
        async (store) => {
          const report = await rotateKeys(store, { newDataKey: true, master: options.master === true, batchSize });
          await store.audit.append({
            at: Date.now(),
            actor: "cli",
            action: "settings.change",
            subject: null,
            details: { setting: "keys.rotate", newVersion: report.newVersion ?? null, master: options.master === true, rows: Object.values(report.rows).reduce((a, b) => a + b, 0), personKeys: report.personKeysRewrapped },
          });
          ctx.out(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatRotationReport(report));
        },
        { mustExist: true },
      );
    });
}
