import type { ApiApp, ApiDeps } from "./common.js";

/** Register the routes of the weekly review of timesheets: submit, withdraw, approve, reject and reopen. */
export function weekRoutes(_api: ApiApp, _deps: ApiDeps): void {
  // Filled in by the change that adds these routes.
}
