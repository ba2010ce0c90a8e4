import type { Command } from "commander";
import { invalidInput, WorklensError } from "../../domain/errors.js";
import { categoriesOf, MAX_CATEGORY_RULES, validateCategoryRules, type CategoryRule } from "../../insights/categories.js";
import { renderTable } from "../../insights/format.js";
import { readInputFile } from "../../ingest/read-input.js";
import { listCategoryRules, replaceCategoryRules } from "../../store/category-repository.js";
import { withStore, type CommandContext } from "../context.js";

const FILE_HINT = 'the file is a JSON list such as [{"matchKind": "project", "matchValue": "PROJ", "category": "CapEx"}]; matchKind is project, epic, issue_type or label';

/** Reads and validates a rules file; every failure names the file. */
async function readRulesFile(file: string): Promise<CategoryRule[]> {
  const text = (await readInputFile(file, "category rules file")).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidInput(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`, FILE_HINT, error);
  }
  try {
    return validateCategoryRules(parsed);
  } catch (error) {
    if (error instanceof WorklensError) throw invalidInput(file, error.message, error.hint ?? FILE_HINT, error);
    throw error;
  }
}

function renderRules(rules: readonly CategoryRule[]): string {
  if (rules.length === 0) return "no category rules: every issue counts as Uncategorized\n";
  return renderTable(["position", "match kind", "match value", "category"], rules.map((rule, index) => [String(index + 1), rule.matchKind, rule.matchValue, rule.category]));
}

/** Registers `worklens categories`. */
export function registerCategories(program: Command, context: () => CommandContext): void {
  const categories = program.command("categories").description("cost category rules (CapEx, OpEx or your own) that team capacity sums time by");

  categories
    .command("list")
    .description("list the rules in the order they are tried; the first rule that matches an issue gives its category")
    .option("--json", "print JSON in the format `categories set` reads")
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const rules = await listCategoryRules(store);
        ctx.out(options.json === true ? `${JSON.stringify(rules, null, 2)}\n` : renderRules(rules));
      }, { mustExist: true });
    });

  categories
    .command("set")
    .description(`replace every rule with the rules of a JSON file, at most ${String(MAX_CATEGORY_RULES)}; audited as categories.change`)
    .argument("<file>", 'JSON list of {"matchKind", "matchValue", "category"}, tried in file order')
    .action(async (file: string) => {
      const ctx = context();
      const rules = await readRulesFile(file);
      await withStore(ctx, async (store) => {
        const stored = await replaceCategoryRules(store, rules, { actor: "cli", at: Date.now() });
        ctx.out(`stored ${String(stored.length)} category rules; categories: ${categoriesOf(stored).join(", ")}\n`);
      }, { mustExist: true });
    });
}
