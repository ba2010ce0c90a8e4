import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { registerPrivacyData } from "./privacy-data.js";
import { registerPrivacyInventory } from "./privacy-inventory.js";
import { registerPrivacyKeys } from "./privacy-keys.js";

/** Registers `worklens privacy`: what is stored, per-person export and deletion, retention and keys. */
export function registerPrivacy(program: Command, context: () => CommandContext): void {
  const privacy = program.command("privacy").description("what worklens stores, export and deletion per person, retention purges and key rotation");
  registerPrivacyInventory(privacy, context);
  registerPrivacyData(privacy, context);
  registerPrivacyKeys(privacy, context);
}
