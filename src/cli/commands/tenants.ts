import type { Command } from "commander";
import type { CommandContext } from "../context.js";

/** Registers `worklens tenants`. */
export function registerTenants(_program: Command, _context: () => CommandContext): void {
  // Filled in by the work that owns this command.
}
