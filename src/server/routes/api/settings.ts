import type { ApiApp, ApiDeps } from "./common.js";

/** Register the routes of the privacy settings an administrator changes in the web UI. */
export function settingsRoutes(_api: ApiApp, _deps: ApiDeps): void {
  // Filled in by the change that adds these routes.
}
