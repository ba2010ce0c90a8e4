import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** The append-only, hash-chained audit log. Being written by the audit-log work. */
export class AuditRepository {
  constructor(readonly db: Kysely<Database>) {}
}
