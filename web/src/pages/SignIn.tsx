import { useState, type SyntheticEvent } from "react";
import { api, type SessionInfo } from "../api.js";
import { ErrorAlert, toShownError, type ShownError } from "../components/week/ErrorAlert.js";
import "../components/week/week.css";

/**
 * The sign-in form. The password lives only in this component's state until the
 * request is sent, and is cleared afterwards; the session itself is an HttpOnly cookie.
 */
export function SignInPage({ onSignedIn, message }: { onSignedIn: (session: SessionInfo) => void; message?: string }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);

  async function submit(event: SyntheticEvent): Promise<void> {
    event.preventDefault();
    if (login.trim() === "" || password === "") {
      setError({ message: login.trim() === "" ? "Login is required." : "Password is required.", hint: "type the login and password your administrator gave you" });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const response = await api.post<{ data: SessionInfo }>("/session", { login: login.trim(), password });
      setPassword("");
      onSignedIn(response.data);
    } catch (failure: unknown) {
      setPassword("");
      setError(toShownError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="wk-signin">
      <form className="wk-signin-form" onSubmit={(event) => void submit(event)} aria-labelledby="signin-heading">
        <h1 id="signin-heading">Sign in to worklens</h1>
        {message !== undefined && (
          <p className="wk-notice" role="status">
            {message}
          </p>
        )}
        <label htmlFor="signin-login">Login</label>
        <input id="signin-login" name="username" autoComplete="username" value={login} onChange={(event) => { setLogin(event.target.value); }} autoFocus />
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => { setPassword(event.target.value); }}
        />
        <ErrorAlert error={error} />
        <button type="submit" className="wk-button wk-primary" disabled={busy} aria-busy={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
