import type { SessionInfo } from "../api.js";

export function SignInPage(_props: { onSignedIn: (session: SessionInfo) => void; message?: string }) {
  return <h1>Sign in</h1>;
}
