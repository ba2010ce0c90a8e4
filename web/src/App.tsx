import { useCallback, useEffect, useState } from "react";
import { BrowserRouter, Navigate, NavLink, Route, Routes } from "react-router-dom";
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type SessionInfo } from "./api.js";
import { AdminPage } from "./pages/Admin.js";
import { ApprovalsPage } from "./pages/Approvals.js";
import { MyWeekPage } from "./pages/MyWeek.js";
import { SignInPage } from "./pages/SignIn.js";
import { TeamCapacityPage } from "./pages/TeamCapacity.js";
import { hasRole, SessionContext } from "./session.js";

type SessionState = { state: "loading" } | { state: "signed-out"; message?: string } | { state: "signed-in"; session: SessionInfo };

export function App() {
  const [session, setSession] = useState<SessionState>({ state: "loading" });

  const signedIn = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setSession({ state: "signed-in", session: info });
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(undefined);
      setSession({ state: "signed-out", message: "Your session has ended. Sign in again." });
    });
    api
      .get<{ data: SessionInfo }>("/session")
      .then((response) => { signedIn(response.data); })
      .catch((error: unknown) => {
        setSession({ state: "signed-out", ...(error instanceof ApiError && error.status !== 401 ? { message: error.message } : {}) });
      });
  }, [signedIn]);

  const signOut = useCallback(async () => {
    await api.delete("/session").catch(() => undefined);
    setCsrfToken(undefined);
    setSession({ state: "signed-out" });
  }, []);

  if (session.state === "loading") return <p className="loading" role="status">Loading…</p>;
  if (session.state === "signed-out") return <SignInPage onSignedIn={signedIn} {...(session.message === undefined ? {} : { message: session.message })} />;

  const info = session.session;
  const manager = hasRole(info, "manager", "admin");
  const admin = hasRole(info, "admin");
  return (
    <SessionContext.Provider value={{ session: info, signOut }}>
      <BrowserRouter>
        <header className="top-bar">
          <span className="brand">worklens</span>
          <nav aria-label="Main">
            <NavLink to="/week">My week</NavLink>
            {manager && <NavLink to="/approvals">Approvals</NavLink>}
            {manager && <NavLink to="/team">Team capacity</NavLink>}
            {(admin || hasRole(info, "auditor")) && <NavLink to="/admin">Admin</NavLink>}
          </nav>
          <span className="who">
            {info.name}
            <button type="button" className="link-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        </header>
        <main>
          <Routes>
            <Route path="/" element={<Navigate to="/week" replace />} />
            <Route path="/week" element={<MyWeekPage />} />
            <Route path="/approvals" element={manager ? <ApprovalsPage /> : <Navigate to="/week" replace />} />
            <Route path="/team" element={manager ? <TeamCapacityPage /> : <Navigate to="/week" replace />} />
            <Route path="/admin/*" element={<AdminPage />} />
            <Route path="*" element={<Navigate to="/week" replace />} />
          </Routes>
        </main>
      </BrowserRouter>
    </SessionContext.Provider>
  );
}
