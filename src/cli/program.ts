import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { pino } from "pino";
import { ERROR_CODES, WorklensError } from "../domain/errors.js";
import { readProcessStdin, registerAccounts } from "./commands/accounts.js";
import { registerDemo } from "./commands/demo.js";
import { registerEval } from "./commands/eval.js";
import { registerImport } from "./commands/import.js";
import { registerKeys } from "./commands/keys.js";
import { registerModels } from "./commands/models.js";
import { registerPeople } from "./commands/people.js";
import { registerServe } from "./commands/serve.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerWorker } from "./commands/worker.js";
import { registerSuggest } from "./commands/suggest.js";
import { registerSync } from "./commands/sync.js";
import { registerTrain } from "./commands/train.js";
import { registerAudit } from "./commands/audit.js";
import { registerCategories } from "./commands/categories.js";
import { registerPrivacy } from "./commands/privacy.js";
import { registerRoles } from "./commands/roles.js";
import { registerTeams } from "./commands/teams.js";
import { registerTenants } from "./commands/tenants.js";
import { loadConfig, type GlobalFlags } from "./config.js";
import type { CommandContext } from "./context.js";

export interface CliIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  stderrIsTty: boolean;
  /** Reads all of standard input; tests pass their own text. Defaults to the process's standard input. */
  readStdin?: () => Promise<string>;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  internal error (a bug: please report it with WORKLENS_LOG_LEVEL=debug output)
  ${ERROR_CODES.USAGE.exitCode}  invalid command line
  ${ERROR_CODES.INVALID_INPUT.exitCode}  an input file cannot be read as its format
  ${ERROR_CODES.NOT_FOUND.exitCode}  a file, person or identity was not found
  ${ERROR_CODES.STORE.exitCode}  the store cannot be opened or written
  ${ERROR_CODES.TARGET_MISSED.exitCode}  an evaluation missed its target (--min-hit-at-1, --min-reduction, --max-mae-minutes)
  ${ERROR_CODES.CONFLICT.exitCode}  the request conflicts with the stored state
  ${ERROR_CODES.UNAVAILABLE.exitCode}  a system library the command needs is not installed (the message says which)
`;

/** Run the worklens command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(io: CliIo): Promise<number> {
  const program = new Command("worklens")
    .description("turn engineering activity into suggested Jira worklogs")
    .version(packageVersion())
    .option("--store <file>", "SQLite store file (default: $WORKLENS_STORE or ./worklens.sqlite)")
    .option("--postgres <url>", "use PostgreSQL instead (default: $WORKLENS_POSTGRES_URL)")
    .option("--schema <name>", "PostgreSQL schema (default: $WORKLENS_POSTGRES_SCHEMA or public)")
    .option("--tenant <id>", "act on this tenant's store with its own master key (default: $WORKLENS_TENANT); needs --tenants")
    .option("--tenants <file>", "tenants file: regions, tenants, and where their stores and keys are (default: $WORKLENS_TENANTS)")
    .option("--no-progress", "no progress bars")
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError("(run with --help for usage)");

  let context: CommandContext | undefined;
  const getContext = (): CommandContext => {
    if (!context) {
      const config = loadConfig(program.opts<GlobalFlags>(), io.env, io.stderrIsTty);
      const logger = pino({ level: config.logLevel, base: null }, pino.destination(2));
      context = { config, logger, out: io.out, err: io.err };
    }
    return context;
  };

  registerImport(program, getContext);
  registerPeople(program, getContext);
  registerSuggest(program, getContext);
  registerEval(program, getContext);
  registerDemo(program, getContext);
  registerSimulate(program, getContext);
  registerKeys(program, getContext);
  registerServe(program, getContext, io.env);
  registerWorker(program, getContext, io.env);
  registerSync(program, getContext, io.env);
  registerTrain(program, getContext, io.env);
  registerModels(program, getContext);
  registerPrivacy(program, getContext);
  registerRoles(program, getContext);
  registerAccounts(program, getContext, io.readStdin ?? readProcessStdin);
  registerAudit(program, getContext);
  registerTeams(program, getContext);
  registerCategories(program, getContext);
  registerTenants(program, getContext, io.env);
  for (const command of program.commands) applyExitOverride(command, io);

  try {
    await program.parseAsync([...io.argv], { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, io, context);
  }
}

function applyExitOverride(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const sub of command.commands) applyExitOverride(sub, io);
}

function reportError(error: unknown, io: CliIo, context: CommandContext | undefined): number {
  if (error instanceof CommanderError) {
    // Help and version output end in a CommanderError with exit code 0.
    return error.exitCode === 0 ? 0 : ERROR_CODES.USAGE.exitCode;
  }
  if (error instanceof WorklensError) {
    io.err(`error: ${error.message}\n`);
    if (error.hint !== undefined) io.err(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`internal error: ${message}\n`);
  context?.logger.error({ err: error }, "command failed with an unexpected error");
  if (io.env["WORKLENS_LOG_LEVEL"] === "debug" && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return ERROR_CODES.INTERNAL.exitCode;
}

/** The version in package.json, which sits two folders above this file in both src/ and dist/. */
function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "unknown";
}
