import type { Command } from "commander";
import { resolvePersonRef } from "../../governance/person-ref.js";
import { renderTable } from "../../insights/format.js";
import { createAccount } from "../../server/auth/accounts.js";
import { generatePassword } from "../../server/auth/password.js";
import { disableAccount, listAccounts } from "../../store/account-repository.js";
import { withStore, type CommandContext } from "../context.js";

/** Reads all of standard input as UTF-8 text. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function formatInstant(instant: number | null): string {
  return instant === null ? "" : new Date(instant).toISOString();
}

/** Returns the login to store: --login, else the person argument when it is an e-mail address, else undefined to keep the existing one. */
function loginOf(person: string, login: string | undefined): string | undefined {
  if (login !== undefined) return login;
  return person.includes("@") ? person.trim() : undefined;
}

/** Registers `worklens accounts`: the local sign-in accounts of the web UI. */
export function registerAccounts(program: Command, context: () => CommandContext, readStdin: () => Promise<string>): void {
  const accounts = program.command("accounts").description("manage the local accounts people sign in to the web UI with");

  accounts
    .command("set-password")
    .description("create a person's account or set its password; enables a disabled account and signs out the person's open sessions")
    .argument("<person>", "person id (shown by people list) or e-mail address")
    .option("--login <name>", "login name to sign in with (default: the e-mail address given as <person>; an existing account keeps its login)")
    .option("--password-stdin", "read the password from standard input instead of generating one")
    .action(async (person: string, options: { login?: string; passwordStdin?: boolean }) => {
      const ctx = context();
      // Read before the store opens, so a failing pipe leaves the store untouched.
      const typed = options.passwordStdin === true ? (await readStdin()).replace(/\r?\n$/, "") : undefined;
      const password = typed ?? generatePassword();
      await withStore(ctx, async (store) => {
        const personId = await resolvePersonRef(store, person);
        const login = loginOf(person, options.login);
        // The account, the deleted sessions and the audit entry land together or not at all.
        const { created } = await store.transaction(async (tx) => {
          const result = await createAccount(tx, { personId, login, password }, Date.now());
          await tx.audit.append({ at: Date.now(), actor: "cli", action: "account.set-password", subject: `person:${String(personId)}`, details: { created: result.created, loginChanged: login !== undefined && !result.created } });
          return result;
        });
        const summary = created ? `created the account of person ${String(personId)}` : `set the password of person ${String(personId)}`;
        if (typed === undefined) {
          ctx.out(`${password}\n`);
          ctx.err(`${summary}; the generated password is shown only now: pass it on to the person over a private channel\n`);
        } else {
          ctx.out(`${summary}\n`);
        }
      }, { mustExist: true });
    });

  accounts
    .command("list")
    .description("list accounts: person id, name, created, updated and disabled (never logins or password hashes)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const list = await listAccounts(store);
        if (options.json === true) {
          ctx.out(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        const rows = list.map((account) => [String(account.personId), account.name, formatInstant(account.createdAt), formatInstant(account.updatedAt), formatInstant(account.disabledAt)]);
        ctx.out(renderTable(["person", "name", "created", "updated", "disabled"], rows));
      }, { mustExist: true });
    });

  accounts
    .command("disable")
    .description("disable a person's account and sign out its open sessions; `accounts set-password` enables it again")
    .argument("<person>", "person id (shown by people list) or e-mail address")
    .action(async (person: string) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const personId = await resolvePersonRef(store, person);
        const changed = await store.transaction(async (tx) => {
          const done = await disableAccount(tx, personId, Date.now());
          if (done) await tx.audit.append({ at: Date.now(), actor: "cli", action: "account.disable", subject: `person:${String(personId)}` });
          return done;
        });
        ctx.out(changed ? `disabled the account of person ${String(personId)}\n` : `the account of person ${String(personId)} already was disabled\n`);
      }, { mustExist: true });
    });
}
