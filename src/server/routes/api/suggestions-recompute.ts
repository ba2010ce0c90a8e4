import { z } from "zod";
import { linkAndSuggest } from "../../../review/pipeline.js";
import { authErrors, checkRange, daySchema, rangeQuery, type ApiApp, type ApiDeps } from "./common.js";

const recomputeResponse = z
  .object({
    data: z.object({
      activities: z.number().int().describe("stored activities linked again: all of them but out-of-office time"),
      linked: z
        .object({
          explicit: z.number().int().describe("activities linked to an issue key they name"),
          ranked: z.number().int().describe("activities linked to the best-ranked issue"),
        })
        .describe("activities linked to an issue, by linking method"),
      unlinked: z.number().int().describe("activities linked to no issue"),
      suggestions: z.number().int().describe("suggested worklogs written for the range"),
      seconds: z.number().int().describe("time of those suggestions together, in seconds"),
      range: z.object({ from: daySchema, to: daySchema }).describe("the days whose suggestions were replaced"),
    }),
  })
  .describe("what linking and allocation did");

/** Register the route that links all activities again and allocates a day range anew, as `worklens suggest --from --to` does. */
export function recomputeRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store } = deps;

  api.post(
    "/suggestions/recompute",
    {
      config: { access: "admin" },
      schema: {
        operationId: "recomputeSuggestions",
        tags: ["suggestions"],
        summary: "Link every stored activity again and replace the suggested worklogs of a day range",
        description:
          "What `worklens suggest --from --to` does, with the learned models and the default allocation settings, within the request. " +
          "Decisions people made are kept, and GET /suggestions lists each one. A decision whose suggestion the new allocation no longer produces is listed with the time and confidence it was reviewed with.",
        security: [{ adminToken: [] }],
        body: z.strictObject(rangeQuery),
        response: { 200: recomputeResponse, ...authErrors },
      },
    },
    async (request) => {
      const { from, to } = request.body;
      checkRange(from, to);
      const { linking, allocation } = await linkAndSuggest(store, { range: { from, to } });
      const seconds = allocation.suggestions.reduce((sum, suggestion) => sum + suggestion.seconds, 0);
      request.log.info({ from, to, activities: linking.activities, suggestions: allocation.suggestions.length }, "suggestions recomputed");
      return {
        data: {
          activities: linking.activities,
          linked: { explicit: linking.explicit, ranked: linking.ranked },
          unlinked: linking.unlinked,
          suggestions: allocation.suggestions.length,
          seconds,
          range: { from, to },
        },
      };
    },
  );
}
