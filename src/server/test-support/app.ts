import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { IdentityInput } from "../../domain/types.js";
import { openTestStore, type Backend, type TestStore } from "../../store/test-support/backends.js";
import { buildApp } from "../app.js";
import { createApiKey, wakatimeIdentity } from "../auth/api-keys.js";
import { loadServerConfig, type ServerConfig } from "../config.js";

export const TEST_EMAIL = "dev@example.com";
export const TEST_ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";

export function testConfig(env: Record<string, string> = {}): ServerConfig {
  return loadServerConfig({}, { WORKLENS_LOG_LEVEL: "info", WORKLENS_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env });
}

export function testIdentity(email = TEST_EMAIL): IdentityInput {
  const identity = wakatimeIdentity(email);
  if (identity === undefined) throw new Error(`test e-mail ${email} is not an e-mail address`);
  return identity;
}

export interface TestApp {
  app: FastifyInstance;
  handle: TestStore;
  /** A live API key of TEST_EMAIL. */
  key: string;
  keyId: number;
  personId: number;
  /** Every log line the app wrote so far, as text. */
  logs(): string;
  close(): Promise<void>;
}

/** An app on a fresh test store with one person and one key, logging into memory. */
export async function openTestApp(backend: Backend, options: { env?: Record<string, string>; clock?: () => number } = {}): Promise<TestApp> {
  const handle = await openTestStore(backend);
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  const app = await buildApp({
    store: handle.store,
    config: testConfig(options.env),
    logStream,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const created = await handle.store.transaction((tx) => createApiKey(tx, testIdentity(), Date.now()));
  return {
    app,
    handle,
    key: created.secret,
    keyId: created.id,
    personId: created.personId,
    logs: () => lines.join(""),
    close: async () => {
      await app.close();
      await handle.dispose();
    },
  };
}

export function basicAuth(secret: string): string {
  return `Basic ${Buffer.from(secret).toString("base64")}`;
}
