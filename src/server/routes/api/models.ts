import type { ApiApp, ApiDeps } from "./common.js";

/** Register the routes of model status, drift history, retraining and rollback. */
export function modelRoutes(_api: ApiApp, _deps: ApiDeps): void {
  // Filled in by the change that adds these routes.
}
