import type { Command } from "commander";
import type { CommandContext } from "../context.js";

/** Registers `worklens audit`. */
export function registerAudit(_program: Command, _context: () => CommandContext): void {
  // Filled in by the work that owns this command.
}
