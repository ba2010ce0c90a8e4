import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { StaticKeyProvider } from "../../privacy/key-provider.js";
import { Store } from "../store.js";

/**
 * Every backend a store test runs against. Typed as a tuple so that adding a
 * backend makes each `describe.each(BACKENDS)` cover it.
 */
export const BACKENDS = ["sqlite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

/** PostgreSQL used by tests; the machines start one with trust auth and a database named "test". */
export const TEST_POSTGRES_URL = process.env["WORKLENS_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Master key of PostgreSQL test stores, base64, random per test process. Child
 * processes of a test (the CLI) get it as WORKLENS_MASTER_KEY.
 */
export const TEST_MASTER_KEY = randomBytes(32).toString("base64");

/** Returns a key provider with TEST_MASTER_KEY as its only key. */
export function testKeyProvider(): StaticKeyProvider {
  return new StaticKeyProvider(Buffer.from(TEST_MASTER_KEY, "base64"));
}

export interface TestStore {
  store: Store;
  /** Wipe and close; the guard refuses unless the target is a test database. */
  dispose(): Promise<void>;
}

/** A fresh, empty store: a SQLite file in a temporary folder, or a new schema in the test database. */
export async function openTestStore(backend: Backend): Promise<TestStore> {
  if (backend === "sqlite") {
    const folder = mkdtempSync(join(tmpdir(), "worklens-test-"));
    const store = await Store.open({ kind: "sqlite", file: join(folder, "store.sqlite") });
    return {
      store,
      dispose: async () => {
        await store.wipeForTests();
        await store.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const store = await Store.open({ kind: "postgres", connectionString: TEST_POSTGRES_URL, schema }, { keys: testKeyProvider() });
  return {
    store,
    dispose: async () => {
      await store.wipeForTests();
      await store.close();
    },
  };
}
