import { z } from "zod";
import { authErrors, type ApiApp, type ApiDeps } from "./common.js";

const MAX_LIMIT = 1000;

const issueSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    project: z.string(),
    type: z.string().nullable(),
    status: z.string().nullable(),
    summary: z.string().describe("the issue's title; descriptions and comments are not served"),
  })
  .meta({ id: "Issue" });

/** Register the route of stored Jira issues with their summaries, for picking the issue of an edit. */
export function issueRoutes(api: ApiApp, deps: ApiDeps): void {
  const { store } = deps;

  api.get(
    "/issues",
    {
      config: { access: "person-or-admin" },
      schema: {
        operationId: "listIssues",
        tags: ["issues"],
        summary: "List stored Jira issues, ordered by id",
        querystring: z.object({
          project: z.string().regex(/^[A-Z][A-Z0-9_]+$/, "expected a Jira project key such as PROJ").optional(),
          key: z.string().regex(/^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/, "expected a Jira issue key such as PROJ-42").optional(),
          limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(200),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({ data: z.array(issueSchema), total: z.number().int().describe("issues that match, before limit and offset") }).describe("one page of matching issues"),
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { project, key, limit, offset } = request.query;
      const matching = (await store.issues.list()).filter((i) => (project === undefined || i.projectKey === project) && (key === undefined || i.key === key));
      const page = matching.slice(offset, offset + limit);
      // NOTE: texts() reads descriptions and comments too, because the store has no summary-only query; only summaries leave this function.
      const texts = page.length === 0 ? new Map<number, { summary: string }>() : await store.issues.texts();
      return {
        data: page.map((i) => ({ id: i.id, key: i.key, project: i.projectKey, type: i.issueType, status: i.status, summary: texts.get(i.id)?.summary ?? "" })),
        total: matching.length,
      };
    },
  );
}
