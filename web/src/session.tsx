import { createContext, useContext } from "react";
import type { Role, SessionInfo } from "./api.js";

export interface SessionContextValue {
  session: SessionInfo;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** The signed-in session; only pages rendered inside the signed-in layout call it. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error("useSession called outside the signed-in layout");
  return value;
}

export function hasRole(session: SessionInfo, ...roles: Role[]): boolean {
  return roles.some((role) => session.roles.includes(role));
}
