import type { FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBody } from "../../errors.js";
import { registerOpenApi } from "../../openapi.js";
import { auditRoutes } from "./audit.js";
import { categoryRoutes } from "./categories.js";
import { API_PREFIX, type ApiDeps } from "./common.js";
import { handleApiError } from "./errors.js";
import { integrationRoutes } from "./integrations.js";
import { issueRoutes } from "./issues.js";
import { modelRoutes } from "./models.js";
import { peopleRoutes } from "./people.js";
import { privacyRoutes } from "./privacy.js";
import { reportRoutes } from "./reports.js";
import { sessionRoutes } from "./session.js";
import { settingsRoutes } from "./settings.js";
import { recomputeRoutes } from "./suggestions-recompute.js";
import { suggestionRoutes } from "./suggestions.js";
import { teamRoutes } from "./teams.js";
import { weekRoutes } from "./weeks.js";
import { worklogRoutes } from "./worklogs.js";

/**
 * Register the REST API, mounted under API_PREFIX. The zod compilers, the error handler and
 * the JSON parser set here apply to this plugin's routes only, so the WakaTime and
 * webhook routes keep their own validation and messages.
 */
export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleApiError);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(errorBody("not found", `docs/api.md and GET ${API_PREFIX}/openapi.json list the routes of the API`)),
  );
  acceptEmptyJsonBody(app);
  await registerOpenApi(app);

  const api = app.withTypeProvider<ZodTypeProvider>();
  suggestionRoutes(api, deps);
  recomputeRoutes(api, deps);
  worklogRoutes(api, deps);
  reportRoutes(api, deps);
  peopleRoutes(api, deps);
  issueRoutes(api, deps);
  integrationRoutes(api, deps);
  privacyRoutes(api, deps);
  auditRoutes(api, deps);
  teamRoutes(api, deps);
  sessionRoutes(api, deps);
  weekRoutes(api, deps);
  categoryRoutes(api, deps);
  modelRoutes(api, deps);
  settingsRoutes(api, deps);

  api.get(
    "/openapi.json",
    {
      config: { access: "public" },
      schema: {
        operationId: "openApiDocument",
        tags: ["meta"],
        summary: "This OpenAPI 3.1 document",
        security: [],
        response: { 200: z.looseObject({}).describe("an OpenAPI 3.1 document") },
      },
    },
    () => ({ ...app.swagger() }),
  );
}

/**
 * Treat an empty body sent as application/json as no body, so a client that sets the
 * header on every POST can still call the routes that take none, such as accept.
 * Routes with a body schema then report the missing body as a validation error.
 */
function acceptEmptyJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
