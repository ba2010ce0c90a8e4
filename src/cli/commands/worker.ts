import type { Command } from "commander";
import { startRuntime } from "../../integrations/runtime.js";
import { loadServerConfig } from "../../server/config.js";
import { trainingOptions, withStore, type CommandContext } from "../context.js";
import { tenantJobQueue } from "./serve.js";

/**
 * Registers `worklens worker`: a process that runs background jobs (syncs, write-back,
 * suggestion refresh) and serves no HTTP. Several workers and servers share the jobs
 * through pg-boss when they share one PostgreSQL store.
 */
export function registerWorker(program: Command, context: () => CommandContext, env: NodeJS.ProcessEnv): void {
  program
    .command("worker")
    .description("run background jobs only (syncs, write-back, suggestion refresh); needs a PostgreSQL store shared with `worklens serve`")
    .option("--config <file>", "JSON server config file with the integrations (see docs/server.md)")
    .action(async (flags: { config?: string }) => {
      const ctx = context();
      const config = loadServerConfig({ config: flags.config }, env);
      await withStore(ctx, async (store) => {
        const runtime = await startRuntime({
          store,
          storeConfig: ctx.config.store,
          integrations: config.integrations,
          queue: tenantJobQueue(ctx.config.tenant, config.jobs.queue === "auto" ? "postgres" : config.jobs.queue),
          work: true,
          env,
          logger: ctx.logger,
          training: trainingOptions(ctx),
        });
        ctx.err(`worklens worker running ${runtime.queueKind} jobs; stop with Ctrl-C\n`);
        await new Promise<void>((resolve) => {
          const onSignal = () => {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
            resolve();
          };
          process.on("SIGINT", onSignal);
          process.on("SIGTERM", onSignal);
        });
        await runtime.stop();
      });
    });
}
