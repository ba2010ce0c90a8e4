import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/auth/api-keys.js";
import { verifyPassword } from "../../server/auth/password.js";
import { testIdentity } from "../../server/test-support/app.js";
import { findAccount, findAccountByLogin, insertSession } from "../../store/account-repository.js";
import { Store, type StoreConfig } from "../../store/store.js";
import { BACKENDS, TEST_MASTER_KEY, TEST_POSTGRES_URL, testKeyProvider } from "../../store/test-support/backends.js";
import { runCli } from "../program.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

const TYPED_PASSWORD = "a typed password, long enough";

describe.each(BACKENDS)("worklens accounts on %s", (backend) => {
  let folder: string;
  let config: StoreConfig;
  let store: Store;
  /** Person ids of dev@example.com and other@example.com. */
  let dev: number;
  let other: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "worklens-accounts-cli-"));
    config =
      backend === "sqlite"
        ? { kind: "sqlite", file: join(folder, "store.sqlite") }
        : { kind: "postgres", connectionString: TEST_POSTGRES_URL, schema: `test_${randomBytes(6).toString("hex")}` };
    store = await Store.open(config, backend === "postgres" ? { keys: testKeyProvider() } : {});
    dev = (await store.transaction((tx) => createApiKey(tx, testIdentity("dev@example.com"), Date.now()))).personId;
    other = (await store.transaction((tx) => createApiKey(tx, testIdentity("other@example.com"), Date.now()))).personId;
  });
  afterEach(async () => {
    await store.wipeForTests();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function run(args: string[], stdin = ""): Promise<Run> {
    let out = "";
    let err = "";
    const location = config.kind === "sqlite" ? ["--store", config.file] : ["--postgres", config.connectionString, "--schema", config.schema ?? ""];
    const code = await runCli({
      argv: [...location, ...args],
      env: backend === "postgres" ? { WORKLENS_MASTER_KEY: TEST_MASTER_KEY } : {},
      out: (text) => (out += text),
      err: (text) => (err += text),
      stderrIsTty: false,
      readStdin: () => Promise.resolve(stdin),
    });
    return { code, out, err };
  }

  it("set-password generates and prints a password", async () => {
    const result = await run(["accounts", "set-password", "Dev@Example.com"]);
    expect(result.code, result.err).toBe(0);
    const password = result.out.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(result.err).toBe(`created the account of person ${String(dev)}; the generated password is shown only now: pass it on to the person over a private channel\n`);

    // The e-mail given as PERSON is the login, in any case.
    const account = await findAccountByLogin(store, "dev@example.com");
    expect(account?.personId).toBe(dev);
    expect(await verifyPassword(password, account?.passwordHash ?? "")).toBe(true);
    expect(account?.passwordHash).not.toContain(password);
  });

  it("set-password reads the password from stdin", async () => {
    const created = await run(["accounts", "set-password", String(dev), "--login", "Dev", "--password-stdin"], `${TYPED_PASSWORD}\r\n`);
    expect(created).toEqual({ code: 0, out: `created the account of person ${String(dev)}\n`, err: "" });
    const account = await findAccountByLogin(store, " dev ");
    expect(await verifyPassword(TYPED_PASSWORD, account?.passwordHash ?? "")).toBe(true);

    // Without --login an existing account keeps its login.
    const changed = await run(["accounts", "set-password", String(dev), "--password-stdin"], "another password of length\n");
    expect(changed.out).toBe(`set the password of person ${String(dev)}\n`);
    const after = await findAccountByLogin(store, "dev");
    expect(await verifyPassword("another password of length", after?.passwordHash ?? "")).toBe(true);
    expect(await verifyPassword(TYPED_PASSWORD, after?.passwordHash ?? "")).toBe(false);
  });

  it("set-password signs out open sessions", async () => {
    expect((await run(["accounts", "set-password", String(dev), "--login", "dev", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    await insertSession(store, { tokenDigest: "digest-of-an-open-session", personId: dev, now: Date.now(), expiresAt: Date.now() + 3_600_000 });
    expect((await run(["accounts", "set-password", String(dev), "--password-stdin"], "a changed password, long")).code).toBe(0);
    expect(await store.db.selectFrom("web_sessions").select("id").execute()).toEqual([]);
  });

  it("set-password rejects bad input", async () => {
    const short = await run(["accounts", "set-password", String(dev), "--login", "dev", "--password-stdin"], "too short\n");
    expect(short.code).toBe(2);
    expect(short.err).toContain("error: invalid password: it has 9 characters, fewer than the minimum of 12\n");
    expect(await findAccount(store, dev)).toBeUndefined();

    const noLogin = await run(["accounts", "set-password", String(dev), "--password-stdin"], TYPED_PASSWORD);
    expect(noLogin.code).toBe(2);
    expect(noLogin.err).toContain(`person ${String(dev)} has no account yet, so a login name is needed`);
    expect(noLogin.err).toContain("hint: pass the login name with --login");

    const unknown = await run(["accounts", "set-password", "999", "--login", "x", "--password-stdin"], TYPED_PASSWORD);
    expect(unknown.code).toBe(4);
    expect(unknown.err).toContain("person 999 not found");

    const emptyLogin = await run(["accounts", "set-password", String(dev), "--login", "  ", "--password-stdin"], TYPED_PASSWORD);
    expect(emptyLogin.code).toBe(2);
    expect(emptyLogin.err).toContain("invalid login: it is empty");

    expect((await run(["accounts", "set-password", String(dev), "--login", "shared", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    const loginTaken = await run(["accounts", "set-password", String(other), "--login", "SHARED", "--password-stdin"], TYPED_PASSWORD);
    expect(loginTaken.code).toBe(7);
    expect(loginTaken.err).toContain(`the login is already used by the account of person ${String(dev)}`);
    expect(await findAccount(store, other)).toBeUndefined();
  });

  it("list shows no login or hash", async () => {
    expect((await run(["accounts", "set-password", "dev@example.com", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    expect((await run(["accounts", "set-password", String(other), "--login", "secret-login-name", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);

    const table = await run(["accounts", "list"]);
    expect(table.code).toBe(0);
    const lines = table.out.trim().split("\n");
    expect(lines[0]).toMatch(/^person\s+name\s+created\s+updated\s+disabled$/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(new RegExp(`^${String(dev)}\\s+person ${String(dev)}\\s+\\d{4}-\\d\\d-\\d\\dT`));
    for (const hidden of ["dev@example.com", "secret-login-name", "scrypt$"]) expect(table.out).not.toContain(hidden);

    const json = JSON.parse((await run(["accounts", "list", "--json"])).out) as { personId: number; name: string; disabledAt: number | null }[];
    expect(json.map((account) => [account.personId, account.name, account.disabledAt])).toEqual([
      [dev, `person ${String(dev)}`, null],
      [other, `person ${String(other)}`, null],
    ]);
    expect(Object.keys(json[0] ?? {}).sort()).toEqual(["createdAt", "disabledAt", "name", "personId", "updatedAt"]);
  });

  it("disable, then set-password enables", async () => {
    expect((await run(["accounts", "set-password", String(dev), "--login", "dev", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    await insertSession(store, { tokenDigest: "digest-of-an-open-session", personId: dev, now: Date.now(), expiresAt: Date.now() + 3_600_000 });

    expect(await run(["accounts", "disable", "dev@example.com"])).toEqual({ code: 0, out: `disabled the account of person ${String(dev)}\n`, err: "" });
    expect((await findAccount(store, dev))?.disabledAt).not.toBeNull();
    expect(await store.db.selectFrom("web_sessions").select("id").execute()).toEqual([]);
    expect((await run(["accounts", "disable", String(dev)])).out).toBe(`the account of person ${String(dev)} already was disabled\n`);
    const listed = JSON.parse((await run(["accounts", "list", "--json"])).out) as { disabledAt: number | null }[];
    expect(listed[0]?.disabledAt).toEqual(expect.any(Number));

    const none = await run(["accounts", "disable", String(other)]);
    expect(none.code).toBe(4);
    expect(none.err).toContain(`person ${String(other)} has no account`);

    expect((await run(["accounts", "set-password", String(dev), "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    expect((await findAccount(store, dev))?.disabledAt).toBeNull();
  });

  it("every change is audited without the login", async () => {
    expect((await run(["accounts", "set-password", String(dev), "--login", "private-login", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    expect((await run(["accounts", "set-password", String(dev), "--login", "private-login-2", "--password-stdin"], TYPED_PASSWORD)).code).toBe(0);
    expect((await run(["accounts", "disable", String(dev)])).code).toBe(0);
    expect((await run(["accounts", "disable", String(dev)])).code).toBe(0);

    const entries = (await store.audit.list()).filter((entry) => entry.action.startsWith("account."));
    expect(entries.map((entry) => [entry.actor, entry.action, entry.subject, entry.details])).toEqual([
      ["cli", "account.set-password", `person:${String(dev)}`, { created: true, loginChanged: false }],
      ["cli", "account.set-password", `person:${String(dev)}`, { created: false, loginChanged: true }],
      ["cli", "account.disable", `person:${String(dev)}`, {}],
    ]);
    expect(JSON.stringify(await store.audit.list())).not.toContain("private-login");
  });
});
