import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { WorklensError } from "../domain/errors.js";
import type { Store } from "../store/store.js";
import { buildApp, type AppDeps } from "./app.js";
import type { ServerConfig } from "./config.js";

/**
 * Time requests in flight get to finish after shutdown begins, in milliseconds.
 * NOTE: fixed, not configurable; a request still open after it is cut off.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  app: FastifyInstance;
  /** Base URL the server listens on, with the port the system chose when port was 0. */
  url: string;
  /**
   * Stop accepting connections, let requests in flight finish, then close the store.
   * Safe to call more than once; later calls wait for the first.
   */
  shutdown(reason: string): Promise<void>;
}

/** Read the TLS pair named in the config, failing start-up with the file that cannot be read. */
export function readTls(config: ServerConfig): AppDeps["tls"] {
  if (config.tls === undefined) return undefined;
  return { cert: readPem(config.tls.cert, "certificate", "WORKLENS_TLS_CERT"), key: readPem(config.tls.key, "key", "WORKLENS_TLS_KEY") };
}

function readPem(file: string, label: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new WorklensError("NOT_FOUND", `TLS ${label} file ${file} cannot be read`, `set ${variable} to a readable PEM file`, { cause: error });
  }
}

/** Build the app, listen on the configured address and return a handle for shutdown. */
export async function startServer(deps: Omit<AppDeps, "tls">, beforeStoreClose?: () => Promise<void>): Promise<RunningServer> {
  const app = await buildApp({ ...deps, tls: readTls(deps.config) });
  return listen(app, deps.store, deps.config, beforeStoreClose);
}

/**
 * Listen with a built app; shutting the handle down closes the app, runs
 * `beforeStoreClose` (which stops background jobs), then closes the store.
 */
export async function listen(app: FastifyInstance, store: Store, config: ServerConfig, beforeStoreClose?: () => Promise<void>): Promise<RunningServer> {
  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorklensError("USAGE", `cannot listen on ${config.host}:${config.port}: ${reason}`, "choose another --port or --host, or stop the program that uses it", { cause: error });
  }
  app.log.info({ url, tls: config.tls !== undefined }, "server listening");
  return { app, url, shutdown: shutdownOnce(app, store, beforeStoreClose) };
}

function shutdownOnce(app: FastifyInstance, store: Store, beforeStoreClose: (() => Promise<void>) | undefined): RunningServer["shutdown"] {
  let closing: Promise<void> | undefined;
  return (reason) => {
    closing ??= (async () => {
      app.log.info({ reason }, "server stopping");
      const started = Date.now();
      const force = setTimeout(() => {
        app.log.warn({ graceMs: SHUTDOWN_GRACE_MS }, "requests still open after the grace period: closing their connections");
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      await app.close();
      clearTimeout(force);
      await beforeStoreClose?.();
      await store.close();
      app.log.info({ durationMs: Date.now() - started }, "server stopped");
    })();
    return closing;
  };
}

/**
 * Shut down on the first SIGINT or SIGTERM and resolve when done. The handlers are
 * removed at that first signal, so a second one ends the process at once.
 */
export function shutdownOnSignals(server: RunningServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      server.shutdown(signal).then(resolve, reject);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
