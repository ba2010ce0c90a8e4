import type { ApiApp, ApiDeps } from "./common.js";

/** Register the routes of the cost category rules and the CSV exports of team capacity. */
export function categoryRoutes(_api: ApiApp, _deps: ApiDeps): void {
  // Filled in by the change that adds these routes.
}
