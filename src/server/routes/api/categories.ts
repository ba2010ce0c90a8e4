import { z } from "zod";
import { CAPACITY_CSV_BREAKDOWNS, capacityCsv, capacityCsvFileName, COMMITMENT_CSV_COLUMNS, GROUP_CSV_COLUMNS } from "../../../insights/capacity-csv.js";
import { CATEGORY_MATCH_KINDS, categoriesOf, categoryRulesSchema, MAX_CATEGORY_LENGTH, MAX_CATEGORY_RULES, UNCATEGORIZED, type CategoryRule } from "../../../insights/categories.js";
import { teamCapacity } from "../../../insights/team-capacity.js";
import { listCategoryRules, replaceCategoryRules } from "../../../store/category-repository.js";
import { actorOf } from "../../auth/hook.js";
import { authErrors, daySchema, errorResponse, notFoundResponse, type ApiApp, type ApiDeps } from "./common.js";
import { requireCapacityReader, teamParams } from "./teams.js";

const ruleSchema = z.object({
  matchKind: z.enum(CATEGORY_MATCH_KINDS),
  matchValue: z.string(),
  category: z.string(),
});

const rulesResponse = z.object({
  data: z.object({
    rules: z.array(ruleSchema).describe("in the order they are tried; the first rule that matches an issue gives its category"),
    categories: z.array(z.string()).describe(`the categories the rules name, in the order of their first rule, then "${UNCATEGORIZED}"`),
  }),
});

const breakdownDescriptions = [
  "project: by project key",
  "epic: by epic key",
  "issueType: by issue type",
  "costCategory: by cost category rule",
  "workKind: by kind of work (meetings, focus, coding, other)",
  "linked: linked versus unlinked time",
  "commitment: committed, suggested and confirmed hours per week",
].join("; ");

function toBody(rules: readonly CategoryRule[]) {
  return { data: { rules: [...rules], categories: categoriesOf(rules) } };
}

/** Register the routes of the cost category rules and the CSV exports of team capacity. */
export function categoryRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store, clock } = deps;

  api.get(
    "/categories/rules",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "getCategoryRules",
        tags: ["teams"],
        summary: "Cost category rules",
        description: `Rules that map issues to cost categories such as CapEx or OpEx, by project key, epic key, issue type or Jira label. Team capacity sums time by the category of the first matching rule; issues that match no rule count as "${UNCATEGORIZED}".`,
        response: { 200: rulesResponse, ...authErrors },
      },
    },
    // Every signed-in person may read the rules: they hold no personal data, only project keys,
    // epic keys, issue types and labels that GET /issues shows anyway, and no access level
    // combines managers and auditors.
    async () => toBody(await listCategoryRules(store)),
  );

  api.put(
    "/categories/rules",
    {
      config: { access: "admin" },
      schema: {
        operationId: "setCategoryRules",
        tags: ["teams"],
        summary: "Replace the cost category rules; audited as categories.change",
        description: `The list replaces every stored rule and is tried in order. At most ${String(MAX_CATEGORY_RULES)} rules; values and categories are trimmed, a category has at most ${String(MAX_CATEGORY_LENGTH)} characters, and a match (kind and value) may appear once. Project keys, epic keys and issue types match ignoring case, labels match exactly.`,
        body: z.strictObject({ rules: categoryRulesSchema }),
        response: { 200: rulesResponse, ...authErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal === null) throw new Error("category rules route reached without a principal");
      const stored = await replaceCategoryRules(store, request.body.rules, { actor: actorOf(principal), at: clock() });
      return toBody(stored);
    },
  );

  api.get(
    "/teams/:id/capacity.csv",
    {
      config: { access: "manager" },
      schema: {
        operationId: "getTeamCapacityCsv",
        tags: ["teams"],
        summary: "One breakdown of a team's capacity as CSV, for its manager or the admin",
        description:
          `The numbers of GET /teams/{id}/capacity with the same access, range and minimum group size rules. A grouped breakdown has the columns ${GROUP_CSV_COLUMNS.join(", ")}; ` +
          `commitment has ${COMMITMENT_CSV_COLUMNS.join(", ")}. Hours have 2 decimals. The "fewer than N people" bucket is one row as in the JSON, and a week without numbers is one row with empty values and the reason in note. Audited as read.team_capacity.`,
        params: teamParams,
        querystring: z.object({
          from: daySchema.describe("first day, YYYY-MM-DD"),
          to: daySchema.describe("last day, YYYY-MM-DD"),
          breakdown: z.enum(CAPACITY_CSV_BREAKDOWNS, { error: `must be one of ${CAPACITY_CSV_BREAKDOWNS.join(", ")}` }).describe(breakdownDescriptions),
        }),
        response: {
          200: z.string().describe("text/csv; charset=utf-8, sent as an attachment: a header line, then one line per week and group"),
          ...authErrors,
          404: notFoundResponse,
          409: errorResponse("the team or range has fewer people than the minimum group size; the message names the minimum"),
        },
      },
    },
    async (request, reply) => {
      const teamId = request.params.id;
      const actor = await requireCapacityReader(request, store, teamId);
      const { from, to, breakdown } = request.query;
      const capacity = await teamCapacity(store, { teamId, from, to, actor, now: clock() });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${capacityCsvFileName(capacity, breakdown)}"`)
        .send(capacityCsv(capacity, breakdown));
    },
  );
}
