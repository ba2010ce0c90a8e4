import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Teams, their members' commitments, and people's roles. Being written by the teams-and-roles work. */
export class TeamRepository {
  constructor(readonly db: Kysely<Database>) {}
}
