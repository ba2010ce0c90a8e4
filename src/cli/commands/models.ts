import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { renderTable } from "../../insights/format.js";
import { formatError } from "../../training/gate.js";
import { withStore, type CommandContext } from "../context.js";
import { parseKind } from "./train.js";

function formatInstant(instant: number | null): string {
  return instant === null ? "" : new Date(instant).toISOString().slice(0, 16).replace("T", " ");
}

function formatMetric(value: number | undefined): string {
  return value === undefined ? "" : formatError(value);
}

/** Registers `worklens models`: the model registry's list, manual promotion, rollback and drift history. */
export function registerModels(program: Command, context: () => CommandContext): void {
  const models = program.command("models").description("list, promote and roll back trained models, and show drift checks");

  models
    .command("list")
    .description("list registered models, newest first: status, training window, held-out errors and the note on each decision")
    .option("--kind <kind>", "only linking or time models")
    .option("--json", "print JSON")
    .action(async (flags: { kind?: string; json?: boolean }) => {
      const kind = flags.kind === undefined ? undefined : parseKind(flags.kind, false)[0];
      const ctx = context();
      await withStore(ctx, async (store) => {
        const list = await store.models.list(kind);
        if (flags.json === true) {
          ctx.out(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        const rows = list.map((m) => [String(m.id), m.kind, `v${String(m.version)}`, m.status, formatInstant(m.createdAt), formatInstant(m.promotedAt), `${m.window.from} to ${m.window.to}`, formatMetric(m.metrics["holdout_error"]), formatMetric(m.metrics["reference_error"]), m.note ?? ""]);
        ctx.out(renderTable(["id", "kind", "version", "status", "created", "promoted", "trained on", "error", "reference error", "note"], rows));
        // Without a live registered model, a bundled model or the rules still serve, so the table names them.
        for (const unserved of (kind === undefined ? (["linking", "time"] as const) : [kind]).filter((k) => !list.some((m) => m.kind === k && m.status === "live"))) {
          ctx.out(`no live ${unserved} model is registered: ${unserved === "linking" ? "the bundled linking model (models/linking-default.json) links" : "rule-based time estimates the hours (only `worklens demo` uses the bundled time model)"}\n`);
        }
      }, { mustExist: true });
    });

  models
    .command("promote")
    .description("make a model live by hand, skipping the gate; the live model of its kind is retired")
    .argument("<id>", "model id (shown by models list)")
    .option("--note <text>", "why, stored with the model")
    .action(async (id: string, flags: { note?: string }) => {
      const modelId = Number(id);
      if (!Number.isSafeInteger(modelId) || modelId <= 0) {
        throw new WorklensError("USAGE", `invalid model id "${id}": expected a positive whole number`, 'run "worklens models list" to see model ids');
      }
      const ctx = context();
      await withStore(ctx, async (store) => {
        const note = flags.note === undefined ? "manual promotion" : `manual promotion: ${flags.note}`;
        const promoted = await store.models.promote(modelId, note);
        ctx.out(`${promoted.kind} v${String(promoted.version)} (id ${String(promoted.id)}) is live\n`);
      }, { mustExist: true });
    });

  models
    .command("rollback")
    .description("retire the live model of a kind and make the most recently retired earlier version live again")
    .argument("<kind>", "linking or time")
    .option("--note <text>", "why, stored with both models", "manual rollback")
    .action(async (kindText: string, flags: { note: string }) => {
      const [kind] = parseKind(kindText, false);
      if (kind === undefined) return;
      const ctx = context();
      await withStore(ctx, async (store) => {
        const restored = await store.models.rollback(kind, flags.note);
        ctx.out(`${kind} rolled back: v${String(restored.version)} (id ${String(restored.id)}) is live again\n`);
      }, { mustExist: true });
    });

  models
    .command("drift")
    .description("list drift checks, oldest first: observed error on recent feedback against the live model's held-out error")
    .option("--kind <kind>", "only linking or time checks")
    .option("--json", "print JSON")
    .action(async (flags: { kind?: string; json?: boolean }) => {
      const kind = flags.kind === undefined ? undefined : parseKind(flags.kind, false)[0];
      const ctx = context();
      await withStore(ctx, async (store) => {
        const history = await store.models.driftHistory(kind);
        if (flags.json === true) {
          ctx.out(`${JSON.stringify(history, null, 2)}\n`);
          return;
        }
        const rows = history.map((d) => [formatInstant(d.checkedAt), d.kind, d.modelId === null ? "" : String(d.modelId), `${d.window.from} to ${d.window.to}`, String(d.n), formatError(d.error), formatError(d.baselineError), d.drifted ? "yes" : "no", d.action]);
        ctx.out(renderTable(["checked", "kind", "model id", "window", "n", "error", "baseline", "drifted", "action"], rows));
      }, { mustExist: true });
    });
}
