import { describe, expect, it } from "vitest";
import { WorklensError } from "../domain/errors.js";
import { categoriesOf, categorize, MAX_CATEGORY_RULES, UNCATEGORIZED, validateCategoryRules, type CategorizedIssue, type CategoryRule } from "./categories.js";

function issue(key: string, fields: Partial<CategorizedIssue> = {}): CategorizedIssue {
  return { key, epicKey: null, issueType: null, labels: [], ...fields };
}

function validationError(input: unknown): WorklensError {
  try {
    validateCategoryRules(input);
  } catch (error) {
    if (error instanceof WorklensError) return error;
    throw error;
  }
  throw new Error("expected the rules to be rejected");
}

describe("validateCategoryRules", () => {
  it("accepts and trims valid rules", () => {
    const rules = validateCategoryRules([
      { matchKind: "project", matchValue: " PROJ ", category: " CapEx " },
      { matchKind: "label", matchValue: "maintenance", category: "OpEx" },
    ]);
    expect(rules).toEqual([
      { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
      { matchKind: "label", matchValue: "maintenance", category: "OpEx" },
    ]);
    expect(validateCategoryRules([])).toEqual([]);
  });

  it("names the rule and field of each error", () => {
    const error = validationError([
      { matchKind: "component", matchValue: "PROJ", category: "CapEx" },
      { matchKind: "epic", matchValue: "   ", category: "x".repeat(61) },
      { matchKind: "label", matchValue: "capex" },
      "PROJ=CapEx",
      { matchKind: "label", matchValue: "opex", category: "OpEx", note: "typo" },
    ]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toBe(
      "invalid category rules: " +
        "rule 1: matchKind must be project, epic, issue_type or label; " +
        "rule 2: matchValue must not be empty; " +
        "rule 2: category must be at most 60 characters; " +
        "rule 3: category is required; " +
        "rule 4: must be an object with matchKind, matchValue and category; " +
        "rule 5: has unknown fields (note), but a rule has only matchKind, matchValue and category",
    );
    expect(error.hint).toContain('"matchKind": "project" | "epic" | "issue_type" | "label"');
  });

  it("rejects a repeated match by position", () => {
    const error = validationError([
      { matchKind: "issue_type", matchValue: "Bug", category: "OpEx" },
      { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
      { matchKind: "issue_type", matchValue: "bug", category: "CapEx" },
    ]);
    expect(error.message).toBe("invalid category rules: rule 3 repeats the issue_type match of rule 1; only the first matching rule counts, so remove one of them");
  });

  it("keeps labels that differ in case apart", () => {
    // Jira stores "CapEx" and "capex" as two labels, so these rules are not repeats.
    const rules = validateCategoryRules([
      { matchKind: "label", matchValue: "CapEx", category: "CapEx" },
      { matchKind: "label", matchValue: "capex", category: "CapEx" },
    ]);
    expect(rules).toHaveLength(2);
  });

  it("limits the number of rules", () => {
    const rules = Array.from({ length: MAX_CATEGORY_RULES + 1 }, (_, i) => ({ matchKind: "label", matchValue: `label-${String(i)}`, category: "OpEx" }));
    expect(validationError(rules).message).toBe("invalid category rules: must have at most 500 rules; merge rules that name the same category");
    expect(validateCategoryRules(rules.slice(0, MAX_CATEGORY_RULES))).toHaveLength(MAX_CATEGORY_RULES);
  });

  it("rejects a value that is not a list", () => {
    expect(validationError({ rules: [] }).message).toBe("invalid category rules: must be a list of rules");
  });
});

describe("categorize", () => {
  const rules: CategoryRule[] = [
    { matchKind: "label", matchValue: "capex", category: "CapEx" },
    { matchKind: "epic", matchValue: "PROJ-100", category: "Platform" },
    { matchKind: "issue_type", matchValue: "bug", category: "OpEx" },
    { matchKind: "project", matchValue: "PROJ", category: "CapEx" },
    { matchKind: "project", matchValue: "OPS", category: "OpEx" },
  ];

  it("uses the first matching rule", () => {
    expect(categorize(issue("WEB-1", { labels: ["capex", "frontend"], issueType: "Bug" }), rules)).toBe("CapEx");
    expect(categorize(issue("PROJ-7", { epicKey: "PROJ-100", issueType: "Bug" }), rules)).toBe("Platform");
    expect(categorize(issue("PROJ-8", { issueType: "Bug" }), rules)).toBe("OpEx");
    expect(categorize(issue("PROJ-9", { issueType: "Story" }), rules)).toBe("CapEx");
    expect(categorize(issue("OPS-1"), rules)).toBe("OpEx");
  });

  it("ignores case except for labels", () => {
    expect(categorize(issue("WEB-2", { issueType: "BUG" }), rules)).toBe("OpEx");
    expect(categorize(issue("WEB-3", { epicKey: "proj-100" }), rules)).toBe("Platform");
    expect(categorize(issue("proj-4"), rules)).toBe("CapEx");
    expect(categorize(issue("WEB-4", { labels: ["CAPEX"] }), rules)).toBe(UNCATEGORIZED);
  });

  it("matches the project of the key only", () => {
    // PROJECT-1 is in project PROJECT, not PROJ, and an epic key is not a project.
    expect(categorize(issue("PROJECT-1"), rules)).toBe(UNCATEGORIZED);
    expect(categorize(issue("WEB-5", { epicKey: "PROJ-5" }), rules)).toBe(UNCATEGORIZED);
  });

  it("falls back to Uncategorized", () => {
    expect(categorize(issue("WEB-6", { issueType: "Story" }), rules)).toBe(UNCATEGORIZED);
    expect(categorize({ key: "WEB-7", epicKey: null, issueType: null }, [])).toBe(UNCATEGORIZED);
  });

  it("lists categories in rule order", () => {
    expect(categoriesOf(rules)).toEqual(["CapEx", "Platform", "OpEx", UNCATEGORIZED]);
    expect(categoriesOf([])).toEqual([UNCATEGORIZED]);
  });
});
