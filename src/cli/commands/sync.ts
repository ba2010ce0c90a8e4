import type { Command } from "commander";
import { WorklensError } from "../../domain/errors.js";
import { createJiraClient } from "../../connectors/jira/client.js";
import type { JiraFlavor } from "../../connectors/jira/flavor.js";
import { syncJira } from "../../connectors/jira/sync.js";
import { withStore, type CommandContext } from "../context.js";
import { formatImportReport } from "../output.js";

interface SyncJiraFlags {
  url: string;
  cloud?: boolean;
  dataCenter?: boolean;
  jql?: string;
  project?: string[];
}

/** Hosts of Jira Cloud sites, for which --cloud is the default. */
const CLOUD_HOST = /\.(atlassian\.net|jira\.com)$/i;

/**
 * Registers `worklens sync`, which pulls from remote services into the store.
 * Credentials are read from `env` (by default the process environment) when a sync runs.
 */
export function registerSync(program: Command, context: () => CommandContext, env: NodeJS.ProcessEnv = process.env): void {
  const command = program.command("sync").description("pull activity from remote services into the store (a re-run resumes and adds nothing new)");

  command
    .command("jira")
    .description(
      "Jira issues, changelogs and worklogs through the REST API, updated since the last sync. " +
        "Credentials: WORKLENS_JIRA_EMAIL and WORKLENS_JIRA_API_TOKEN (Cloud) or WORKLENS_JIRA_PAT (Data Center)",
    )
    .requiredOption("--url <url>", "Jira base URL, such as https://example.atlassian.net")
    .option("--cloud", "Jira Cloud: REST API v3, e-mail and API token (the default for *.atlassian.net)")
    .option("--data-center", "Jira Data Center or Server: REST API v2, personal access token")
    .option("--jql <clause>", "extra JQL clause, joined with AND; each distinct scope keeps its own checkpoint")
    .option("--project <keys...>", "only these project keys")
    .action(async (flags: SyncJiraFlags) => {
      const ctx = context();
      const baseUrl = checkUrl(flags.url);
      const flavor = flavorOf(flags, baseUrl);
      const client = createJiraClient({
        flavor,
        env,
        baseUrl: baseUrl.href,
        onRetry: (event) => {
          ctx.logger.warn(event, "Jira request retried");
        },
      });

      await withStore(ctx, async (store) => {
        const report = await syncJira(store, client, {
          flavor,
          baseUrl: baseUrl.href,
          projects: flags.project ?? [],
          jql: flags.jql,
          onPage: (page) => {
            ctx.logger.info(page, "Jira search page written");
          },
        });
        ctx.out(formatImportReport(report));
      });
    });
}

function checkUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new WorklensError("USAGE", `invalid --url "${text}": not a URL`, "pass the Jira base URL, such as https://example.atlassian.net", { cause: error });
  }
  const hint = "pass the Jira base URL, such as https://example.atlassian.net, without user name, password or query";
  if (url.username !== "" || url.password !== "") {
    throw new WorklensError("USAGE", "invalid --url: it contains a user name or password", `${hint}; credentials come from environment variables`);
  }
  if (url.search !== "" || url.hash !== "") throw new WorklensError("USAGE", `invalid --url ${url.origin}${url.pathname}: it has a query or fragment`, hint);
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new WorklensError("USAGE", `invalid --url ${url.origin}: credentials are sent only over https`, "use the https:// address of the Jira site (plain http is accepted for localhost only)");
  }
  return url;
}

function flavorOf(flags: SyncJiraFlags, url: URL): JiraFlavor {
  if (flags.cloud === true && flags.dataCenter === true) {
    throw new WorklensError("USAGE", "--cloud and --data-center exclude each other", "pass the one that matches the Jira server");
  }
  if (flags.cloud === true) return "cloud";
  if (flags.dataCenter === true) return "data-center";
  if (CLOUD_HOST.test(url.hostname)) return "cloud";
  throw new WorklensError("USAGE", `cannot tell whether ${url.origin} is Jira Cloud or Data Center`, "pass --cloud or --data-center");
}
