import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { renderTable } from "../../insights/format.js";
import { createApiKey, wakatimeIdentity } from "../../server/auth/api-keys.js";
import { withStore, type CommandContext } from "../context.js";

function formatInstant(instant: number | null): string {
  return instant === null ? "" : new Date(instant).toISOString();
}

export function registerKeys(program: Command, context: () => CommandContext): void {
  const keys = program.command("keys").description("manage the API keys editor plugins send to `worklens serve`");

  keys
    .command("create")
    .description("create an API key for a person and print it once (only its SHA-256 digest is stored)")
    .requiredOption("--person <email>", "the person's e-mail address, as given to `import wakatime --person`")
    .action(async (options: { person: string }) => {
      const identity = wakatimeIdentity(options.person);
      if (identity === undefined) {
        throw new WorklensError("USAGE", `invalid --person "${options.person}": expected an e-mail address`, "pass the e-mail address the person uses in Jira or git so heartbeats join that person");
      }
      const ctx = context();
      await withStore(ctx, async (store) => {
        const created = await store.transaction((tx) => createApiKey(tx, identity, Date.now()));
        await store.audit.append({ at: Date.now(), actor: "cli", action: "keys.create", subject: `person:${String(created.personId)}`, details: { keyId: created.id } });
        ctx.out(`${created.secret}\n`);
        ctx.err(`created key ${created.id} for person ${created.personId}; it is shown only now: put it in ~/.wakatime.cfg as api_key\n`);
      });
    });

  keys
    .command("list")
    .description("list API keys: id, person, prefix, creation, last use and revocation (never the keys)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const list = await store.keys.list();
        if (options.json === true) {
          ctx.out(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        const rows = list.map((k) => [String(k.id), String(k.personId), k.externalId, `${k.prefix}…`, formatInstant(k.createdAt), formatInstant(k.lastUsedAt), formatInstant(k.revokedAt)]);
        ctx.out(renderTable(["id", "person", "identity", "prefix", "created", "last used", "revoked"], rows));
      }, { mustExist: true });
    });

  keys
    .command("revoke")
    .description("revoke an API key; requests with it get 401 from then on")
    .argument("<id>", "key id (shown by keys list)")
    .action(async (id: string) => {
      const keyId = Number(id);
      if (!Number.isSafeInteger(keyId) || keyId <= 0) {
        throw new WorklensError("USAGE", `invalid key id "${id}": expected a positive whole number`, 'run "worklens keys list" to see key ids');
      }
      const ctx = context();
      await withStore(ctx, async (store) => {
        await store.keys.revoke(keyId, Date.now());
        await store.audit.append({ at: Date.now(), actor: "cli", action: "keys.revoke", details: { keyId } });
        ctx.out(`key ${keyId} revoked\n`);
      }, { mustExist: true });
    });
}
