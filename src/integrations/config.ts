import { z } from "zod";

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lower-case letters, digits and dashes, starting with a letter or digit");
/** Minutes between scheduled syncs; absent means the integration syncs only on request. */
const everyMinutes = z.number().int().min(1).max(7 * 24 * 60).optional();

/** Credentials and calendar tokens travel only over https; plain http is for a server on the same machine. */
const httpsUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .refine((text) => {
    const url = new URL(text);
    return url.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  }, "must use https (plain http is accepted for 127.0.0.1 and localhost only)")
  .refine((text) => {
    const url = new URL(text);
    return url.username === "" && url.password === "";
  }, "must not contain a user name or password: credentials come from environment variables");

/**
 * One integration per entry of `integrations` in the server config. Credentials are
 * never part of it: each connector reads its token from the environment at start-up
 * (docs/connectors.md names the variables).
 */
export const integrationConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("jira"),
    name,
    url: httpsUrl,
    flavor: z.enum(["cloud", "data-center"]),
    projects: z.array(z.string().regex(/^[A-Z][A-Z0-9_]+$/, "must be a Jira project key")).default([]),
    jql: z.string().min(1).optional(),
    everyMinutes,
    /** Write accepted worklogs back to this Jira. At most one integration may set it. */
    writeBack: z.boolean().default(false),
  }),
  z.strictObject({
    kind: z.literal("github"),
    name,
    apiUrl: httpsUrl.default("https://api.github.com"),
    repositories: z.array(z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/name")).min(1, "list at least one repository: only listed ones are read"),
    everyMinutes,
  }),
  z.strictObject({
    kind: z.literal("gitlab"),
    name,
    url: httpsUrl.default("https://gitlab.com"),
    projects: z.array(z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, "must be a project path such as group/project")).min(1, "list at least one project: only listed ones are read"),
    everyMinutes,
  }),
  z.strictObject({
    kind: z.literal("ics"),
    name,
    /** The feed URL. It often contains a secret token, so logs and the API show its host only. */
    url: httpsUrl,
    /** Whose calendar it is: "Name <e-mail>" or an e-mail address. */
    person: z.string().min(3),
    /** Zone for floating times and all-day dates when the feed names none. */
    zone: z.string().min(1).optional(),
    everyMinutes,
  }),
]);

export type IntegrationConfig = z.infer<typeof integrationConfigSchema>;

export const integrationsSchema = z
  .array(integrationConfigSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [index, integration] of list.entries()) {
      if (seen.has(integration.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: "is used by an earlier integration; names must be unique" });
      seen.add(integration.name);
    }
    const writers = list.filter((i) => i.kind === "jira" && i.writeBack);
    if (writers.length > 1) ctx.addIssue({ code: "custom", path: [], message: "more than one Jira integration sets writeBack; set it on one only" });
  });

/** Returns the host an integration reads from, for the API and logs. The path and query may carry a token, so they are left out. */
export function integrationTarget(integration: IntegrationConfig): string {
  switch (integration.kind) {
    case "github":
      return new URL(integration.apiUrl).host;
    case "jira":
    case "gitlab":
    case "ics":
      return new URL(integration.url).host;
  }
}
