import type { ApiApp, ApiDeps } from "./common.js";

/** Register the routes of sign-in, the current session and sign-out of the web UI. */
export function sessionRoutes(_api: ApiApp, _deps: ApiDeps): void {
  // Filled in by the change that adds these routes.
}
