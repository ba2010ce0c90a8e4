import type { Kysely } from "kysely";
import { WorklensError } from "../domain/errors.js";
import { effectiveRoles, isGrantableRole, type GrantableRole, type Role } from "../privacy/roles.js";
import type { Database } from "./schema.js";

/** One person's granted roles, as `worklens roles list` prints them. */
export interface RoleGrant {
  personId: number;
  roles: GrantableRole[];
}

/** Roles granted to people (`person_roles`). Every person is a member without a row. */
export class RoleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the roles of a person: "member" plus every granted role. */
  async rolesOf(personId: number): Promise<Role[]> {
    const rows = await this.db.selectFrom("person_roles").select("role").where("person_id", "=", personId).execute();
    const roles = rows.map((row) => row.role);
    // Managing a team makes a person a manager without a separate grant; routes still check which team.
    const manages = await this.db.selectFrom("teams").select("id").where("manager_person_id", "=", personId).limit(1).executeTakeFirst();
    if (manages !== undefined) roles.push("manager");
    return effectiveRoles(roles);
  }

  /**
   * Grants a role. Returns false when the person already had it.
   * Throws NOT_FOUND when no person has this id.
   */
  async grant(personId: number, role: GrantableRole): Promise<boolean> {
    await this.assertPerson(personId);
    const result = await this.db
      .insertInto("person_roles")
      .values({ person_id: personId, role })
      .onConflict((oc) => oc.columns(["person_id", "role"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Revokes a role. Returns false when the person did not have it. */
  async revoke(personId: number, role: GrantableRole): Promise<boolean> {
    const result = await this.db.deleteFrom("person_roles").where("person_id", "=", personId).where("role", "=", role).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Lists every person with at least one granted role, ordered by person id. */
  async list(): Promise<RoleGrant[]> {
    const rows = await this.db.selectFrom("person_roles").select(["person_id", "role"]).orderBy("person_id").orderBy("role").execute();
    const byPerson = new Map<number, GrantableRole[]>();
    for (const row of rows) {
      // Only grantable roles are written; any other value in the table is ignored rather than trusted.
      if (!isGrantableRole(row.role)) continue;
      const roles = byPerson.get(row.person_id) ?? [];
      roles.push(row.role);
      byPerson.set(row.person_id, roles);
    }
    return [...byPerson].map(([personId, roles]) => ({ personId, roles }));
  }

  private async assertPerson(personId: number): Promise<void> {
    const row = await this.db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
    if (row === undefined) {
      throw new WorklensError("NOT_FOUND", `person ${String(personId)} not found`, "`worklens people list` shows the ids of known people");
    }
  }
}
