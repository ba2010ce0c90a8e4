/**
 * The browser's client of the worklens REST API. The session cookie is HttpOnly and
 * travels by itself; every request that changes something also sends the session's
 * CSRF token, which the server checks against the session.
 */

export const API = "/api/worklens/v1";

export type Role = "member" | "manager" | "auditor" | "admin";

export interface SessionInfo {
  personId: number;
  name: string;
  roles: Role[];
  csrfToken: string;
  expiresAt: string;
  tz: string | null;
}

/** An error the API returned, with its message and the hint the server gave for fixing it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint: string | undefined,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Remembers the CSRF token of the current session; set after sign-in and after reading the session. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a request gets 401, so the app can return to the sign-in page. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken !== undefined) headers["x-csrf-token"] = csrfToken;
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${API}${path}`, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text === "" ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = parsed as { error?: string; hint?: string } | undefined;
    if (response.status === 401 && !path.startsWith("/session")) onUnauthorized();
    throw new ApiError(response.status, error?.error ?? `request failed with status ${String(response.status)}`, error?.hint);
  }
  return parsed as T;
}

/** Fetches a CSV export and hands it to the browser as a download. */
export async function downloadCsv(path: string, fileName: string): Promise<void> {
  const response = await fetch(`${API}${path}`, { credentials: "same-origin", headers: { accept: "text/csv" } });
  if (!response.ok) throw new ApiError(response.status, `export failed with status ${String(response.status)}`, undefined);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body),
  patch: <T>(path: string, body?: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
};
