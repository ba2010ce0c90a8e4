import type { Command } from "commander";
import { startRuntime, type Runtime } from "../../integrations/runtime.js";
import { loadServerConfig, type ServeFlags } from "../../server/config.js";
import { shutdownOnSignals, startServer, type RunningServer } from "../../server/start.js";
import { Store } from "../../store/store.js";
import { WorklensError } from "../../domain/errors.js";
import { describeStore, type CliTenant } from "../config.js";
import { storeOpenOptions, trainingOptions, type CommandContext } from "../context.js";

export function registerServe(program: Command, context: () => CommandContext, env: NodeJS.ProcessEnv): void {
  program
    .command("serve")
    .description("run the HTTP server (default http://127.0.0.1:8377): the web UI, the REST API, a WakaTime-compatible API for editor plugins, webhooks, and background jobs for the configured integrations")
    .option("--config <file>", "JSON server config file (see docs/server.md)")
    .option("--host <address>", "address to listen on (default: $WORKLENS_HOST or 127.0.0.1)")
    .option("--port <number>", "TCP port, 0 for any free port (default: $WORKLENS_PORT or 8377)")
    .option("--tls-cert <file>", "PEM certificate; serves HTTPS together with --tls-key (default: $WORKLENS_TLS_CERT)")
    .option("--tls-key <file>", "PEM private key of the certificate (default: $WORKLENS_TLS_KEY)")
    .action(async (flags: ServeFlags) => {
      const ctx = context();
      const config = loadServerConfig(flags, env);

      let store: Store;
      try {
        store = await Store.open(ctx.config.store, storeOpenOptions(ctx.config));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new WorklensError("STORE", `cannot open the store (${describeStore(ctx.config.store)}): ${reason}`, "check --store or --postgres, and that the database server is running", { cause: error });
      }

      let runtime: Runtime | undefined;
      let server: RunningServer;
      try {
        // Jobs log at the server's level, like requests, not at the CLI's.
        const logger = ctx.logger.child({ component: "jobs" }, { level: config.logLevel });
        runtime = await startRuntime({ store, storeConfig: ctx.config.store, integrations: config.integrations, queue: tenantJobQueue(ctx.config.tenant, config.jobs.queue), work: config.jobs.work, env, logger, training: trainingOptions(ctx) });
        const jobs = runtime;
        server = await startServer({ store, config, integrations: jobs.integrations }, () => jobs.stop());
      } catch (error) {
        await runtime?.stop();
        await store.close();
        throw error;
      }
      const tenant = ctx.config.tenant === undefined ? "" : ` for tenant ${ctx.config.tenant.id}`;
      ctx.err(`worklens serving on ${server.url}${tenant} with store ${describeStore(ctx.config.store)}; stop with Ctrl-C\n`);
      await shutdownOnSignals(server);
    });
}

/**
 * Chooses the job queue of a tenant's server. pg-boss keeps its jobs in one schema per database,
 * so tenants sharing a database (the "schema" layout) would share it: they run jobs in
 * process instead, and only the "database" layout may use the PostgreSQL queue.
 */
export function tenantJobQueue<Q extends string>(tenant: CliTenant | undefined, queue: Q): Q | "in-process" {
  const store = tenant?.placement.store;
  if (store?.kind !== "postgres" || store.database !== undefined) return queue;
  if (queue === "postgres") {
    throw new WorklensError("USAGE", `tenant ${tenant?.id ?? store.schema} shares its PostgreSQL database with other tenants, so it cannot use the PostgreSQL job queue`, 'run its jobs in process inside `worklens serve --tenant` (jobs.queue "auto" or "in-process"), or give the region "layout": "database"');
  }
  return "in-process";
}
