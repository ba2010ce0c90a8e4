import { z } from "zod";
import { WorklensError } from "../domain/errors.js";
import { projectOf } from "../domain/issue-keys.js";
import type { IssueRecord } from "../domain/types.js";
import { CATEGORY_MATCH_KINDS, type CategoryMatchKind, type CategoryRule } from "../store/category-repository.js";

export { CATEGORY_MATCH_KINDS, type CategoryMatchKind, type CategoryRule } from "../store/category-repository.js";

/** Category of an issue that no rule matches. */
export const UNCATEGORIZED = "Uncategorized";
export const MAX_CATEGORY_RULES = 500;
export const MAX_CATEGORY_LENGTH = 60;
/** Jira limits a label to 255 characters; project keys, epic keys and issue type names are shorter. */
export const MAX_MATCH_VALUE_LENGTH = 255;

/** The issue fields a rule can match. */
export type CategorizedIssue = Pick<IssueRecord, "key" | "epicKey" | "issueType" | "labels">;

const KIND_LIST = `${CATEGORY_MATCH_KINDS.slice(0, -1).join(", ")} or ${CATEGORY_MATCH_KINDS[CATEGORY_MATCH_KINDS.length - 1] ?? ""}`;

function requiredString() {
  return z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });
}

export const categoryRuleSchema = z.strictObject({
  matchKind: z.enum(CATEGORY_MATCH_KINDS, { error: (issue) => (issue.input === undefined ? "is required" : `must be ${KIND_LIST}`) }),
  matchValue: requiredString()
    .trim()
    .min(1, { error: "must not be empty" })
    .max(MAX_MATCH_VALUE_LENGTH, { error: `must be at most ${String(MAX_MATCH_VALUE_LENGTH)} characters` })
    .describe("project key (PROJ), epic key (PROJ-100), issue type name (Bug) or Jira label (capex)"),
  category: requiredString()
    .trim()
    .min(1, { error: "must not be empty" })
    .max(MAX_CATEGORY_LENGTH, { error: `must be at most ${String(MAX_CATEGORY_LENGTH)} characters` })
    .describe("cost category, such as CapEx or OpEx"),
}, {
  error: (issue) =>
    issue.code === "invalid_type" ? "must be an object with matchKind, matchValue and category" : `has unknown fields (${issue.keys.join(", ")}), but a rule has only matchKind, matchValue and category`,
});

/**
 * Rule lists as an admin sends them: at most MAX_CATEGORY_RULES rules, each match
 * (kind and value) at most once. A repeated match could never apply, because the first
 * matching rule wins, so it is an error rather than a silent no-op.
 */
export const categoryRulesSchema = z
  .array(categoryRuleSchema, { error: "must be a list of rules" })
  .max(MAX_CATEGORY_RULES, { error: `must have at most ${String(MAX_CATEGORY_RULES)} rules; merge rules that name the same category` })
  .superRefine((rules, context) => {
    const first = new Map<string, number>();
    for (const [index, rule] of rules.entries()) {
      const key = `${rule.matchKind}\u0000${comparable(rule.matchKind, rule.matchValue)}`;
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, index);
        continue;
      }
      context.addIssue({
        code: "custom",
        message: `rule ${String(index + 1)} repeats the ${rule.matchKind} match of rule ${String(earlier + 1)}; only the first matching rule counts, so remove one of them`,
      });
    }
  });

/**
 * Returns a value in the form rules compare it: project keys, epic keys and issue types
 * ignore case, as Jira does for keys. Labels keep their case, because Jira stores
 * "CapEx" and "capex" as two labels.
 */
function comparable(kind: CategoryMatchKind, value: string): string {
  return kind === "label" ? value : value.toUpperCase();
}

/**
 * Validates a rule list read from a file or a request, with the rules numbered from 1.
 * Throws a USAGE error naming each wrong rule and field; returns the rules with values
 * and categories trimmed.
 */
export function validateCategoryRules(input: unknown): CategoryRule[] {
  const result = categoryRulesSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [index, field] = issue.path;
    if (typeof index !== "number") return issue.message;
    return field === undefined ? `rule ${String(index + 1)}: ${issue.message}` : `rule ${String(index + 1)}: ${String(field)} ${issue.message}`;
  });
  throw new WorklensError(
    "USAGE",
    `invalid category rules: ${problems.join("; ")}`,
    `each rule is {"matchKind": ${CATEGORY_MATCH_KINDS.map((k) => `"${k}"`).join(" | ")}, "matchValue": "...", "category": "..."}; fix the named rules and try again`,
  );
}

function matches(rule: CategoryRule, issue: CategorizedIssue): boolean {
  const expected = comparable(rule.matchKind, rule.matchValue);
  switch (rule.matchKind) {
    case "project":
      return comparable("project", projectOf(issue.key)) === expected;
    case "epic":
      return issue.epicKey !== null && comparable("epic", issue.epicKey) === expected;
    case "issue_type":
      return issue.issueType !== null && comparable("issue_type", issue.issueType) === expected;
    case "label":
      return (issue.labels ?? []).includes(expected);
  }
}

/** Returns the category of the first rule that matches the issue, or UNCATEGORIZED. */
export function categorize(issue: CategorizedIssue, rules: readonly CategoryRule[]): string {
  return rules.find((rule) => matches(rule, issue))?.category ?? UNCATEGORIZED;
}

/** Returns the categories the rules name, in the order of their first rule, then UNCATEGORIZED, the category of every other issue. */
export function categoriesOf(rules: readonly CategoryRule[]): string[] {
  return [...new Set([...rules.map((rule) => rule.category), UNCATEGORIZED])];
}
