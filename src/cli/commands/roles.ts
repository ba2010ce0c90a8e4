import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { renderTable } from "../../insights/format.js";
import { GRANTABLE_ROLES, isGrantableRole, type GrantableRole } from "../../privacy/roles.js";
import { withStore, type CommandContext } from "../context.js";

function parsePersonId(value: string): number {
  const personId = Number(value);
  if (!Number.isSafeInteger(personId) || personId <= 0) {
    throw new WorklensError("USAGE", `invalid person id "${value}": expected a positive whole number`, "run `worklens people list` to see person ids");
  }
  return personId;
}

function parseRole(value: string): GrantableRole {
  if (!isGrantableRole(value)) {
    throw new WorklensError("USAGE", `invalid role "${value}"`, `use one of ${GRANTABLE_ROLES.join(", ")}; every person is a member without a grant`);
  }
  return value;
}

export function registerRoles(program: Command, context: () => CommandContext): void {
  const roles = program
    .command("roles")
    .description(`grant and revoke roles (${GRANTABLE_ROLES.join(", ")}); every person is a member, who sees only their own data`);

  roles
    .command("grant")
    .description("grant a role to a person; the change is written to the audit log")
    .argument("<person>", "person id (shown by people list)")
    .argument("<role>", GRANTABLE_ROLES.join(", "))
    .action(async (person: string, role: string) => {
      const personId = parsePersonId(person);
      const grantable = parseRole(role);
      const ctx = context();
      await withStore(ctx, async (store) => {
        // The change and its audit entry land together or not at all.
        const changed = await store.transaction(async (tx) => {
          const done = await tx.roles.grant(personId, grantable);
          if (done) await tx.audit.append({ at: Date.now(), actor: "cli", action: "role.change", subject: `person:${String(personId)}`, details: { grant: grantable } });
          return done;
        });
        ctx.out(changed ? `person ${String(personId)} is now ${grantable}\n` : `person ${String(personId)} already was ${grantable}\n`);
      }, { mustExist: true });
    });

  roles
    .command("revoke")
    .description("revoke a role from a person; the change is written to the audit log")
    .argument("<person>", "person id (shown by people list)")
    .argument("<role>", GRANTABLE_ROLES.join(", "))
    .action(async (person: string, role: string) => {
      const personId = parsePersonId(person);
      const grantable = parseRole(role);
      const ctx = context();
      await withStore(ctx, async (store) => {
        // The change and its audit entry land together or not at all.
        const changed = await store.transaction(async (tx) => {
          const done = await tx.roles.revoke(personId, grantable);
          if (done) await tx.audit.append({ at: Date.now(), actor: "cli", action: "role.change", subject: `person:${String(personId)}`, details: { revoke: grantable } });
          return done;
        });
        ctx.out(changed ? `person ${String(personId)} is no longer ${grantable}\n` : `person ${String(personId)} was not ${grantable}\n`);
      }, { mustExist: true });
    });

  roles
    .command("list")
    .description("list the people with a granted role")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const grants = await store.roles.list();
        if (options.json === true) {
          ctx.out(`${JSON.stringify(grants, null, 2)}\n`);
          return;
        }
        ctx.out(renderTable(["person", "roles"], grants.map((grant) => [String(grant.personId), grant.roles.join(", ")])));
      }, { mustExist: true });
    });
}
