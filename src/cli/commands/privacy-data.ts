import type { Command } from "commander";
import type { CommandContext } from "../context.js";

/** Adds the `worklens privacy` subcommands of export, delete and purge (retention work). */
export function registerPrivacyData(_privacy: Command, _context: () => CommandContext): void {
  // Filled in by the work that owns this command.
}
