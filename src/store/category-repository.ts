import { sql } from "kysely";
import { WorklensError } from "../domain/errors.js";
import type { Repositories, Store } from "./store.js";

/** Issue fields a cost category rule can match. */
export const CATEGORY_MATCH_KINDS = ["project", "epic", "issue_type", "label"] as const;
export type CategoryMatchKind = (typeof CATEGORY_MATCH_KINDS)[number];

/** One cost category rule: issues whose `matchKind` field equals `matchValue` count as `category`. */
export interface CategoryRule {
  matchKind: CategoryMatchKind;
  matchValue: string;
  category: string;
}

/** Audit actor ("admin", "cli" or "person:<id>") and time in epoch milliseconds of a rule replacement. */
export interface CategoryRulesChange {
  actor: string;
  at: number;
}

function isMatchKind(value: string): value is CategoryMatchKind {
  return (CATEGORY_MATCH_KINDS as readonly string[]).includes(value);
}

/** Returns the cost category rules in the order they are tried. */
export async function listCategoryRules(repositories: Repositories): Promise<CategoryRule[]> {
  const rows = await repositories.db.selectFrom("category_rules").select(["position", "match_kind", "match_value", "category"]).orderBy("position").orderBy("id").execute();
  return rows.map((row) => {
    if (!isMatchKind(row.match_kind)) {
      throw new WorklensError(
        "STORE",
        `category rule at position ${String(row.position)} has the unknown match kind "${row.match_kind}"`,
        "set the rules again with `worklens categories set FILE` or PUT /categories/rules",
      );
    }
    return { matchKind: row.match_kind, matchValue: row.match_value, category: row.category };
  });
}

/**
 * Replaces the whole ordered rule list, the first rule at position 1, and appends one
 * "categories.change" audit entry with the rule and category counts, all in one
 * transaction. The rules must already be valid (see validateCategoryRules in
 * src/insights/categories.ts). Returns the stored list.
 */
export async function replaceCategoryRules(store: Store, rules: readonly CategoryRule[], change: CategoryRulesChange): Promise<CategoryRule[]> {
  return store.transaction(async (tx) => {
    // On PostgreSQL, two concurrent replacements would each delete only the rows they can see
    // and then both insert, which leaves a mix of both lists. The lock makes the second wait
    // for the first. SQLite allows one writer at a time, so it needs no lock.
    if (store.dialect === "postgres") await sql`lock table category_rules in share row exclusive mode`.execute(tx.db);
    await tx.db.deleteFrom("category_rules").execute();
    if (rules.length > 0) {
      await tx.db
        .insertInto("category_rules")
        .values(rules.map((rule, index) => ({ position: index + 1, match_kind: rule.matchKind, match_value: rule.matchValue, category: rule.category, created_at: change.at })))
        .execute();
    }
    await tx.audit.append({
      at: change.at,
      actor: change.actor,
      action: "categories.change",
      subject: null,
      details: { rules: rules.length, categories: new Set(rules.map((rule) => rule.category)).size },
    });
    return listCategoryRules(tx);
  });
}
