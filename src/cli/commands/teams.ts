import type { Command } from "commander";
import type { CommandContext } from "../context.js";

/** Registers `worklens teams and worklens roles`. */
export function registerTeams(_program: Command, _context: () => CommandContext): void {
  // Filled in by the work that owns this command.
}
