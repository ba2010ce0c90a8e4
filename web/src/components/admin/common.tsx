import { useEffect, useState } from "react";
import { api, ApiError } from "../../api.js";

export type Load<T> = { state: "loading" } | { state: "ready"; data: T } | { state: "failed"; message: string; status: number | null };

/** The server's message with its hint on what to do next. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.hint === undefined ? error.message : `${error.message}. ${sentence(error.hint)}`;
  return error instanceof Error ? error.message : "the request failed";
}

/** Server hints start in lower case because they follow the message; shown as their own sentence they start upper case. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function errorStatus(error: unknown): number | null {
  return error instanceof ApiError ? error.status : null;
}

/**
 * GETs `path` and keeps the answer. Bumping `version` fetches again. The state is derived
 * from the path it belongs to, so a new path reads as loading in the very render that asks for it.
 */
export function useApiGet<T>(path: string, version = 0): Load<T> {
  const key = `${String(version)} ${path}`;
  const [loaded, setLoaded] = useState<{ key: string; result: Load<T> } | null>(null);
  useEffect(() => {
    let live = true;
    api
      .get<T>(path)
      .then((data) => {
        if (live) setLoaded({ key, result: { state: "ready", data } });
      })
      .catch((error: unknown) => {
        if (live) setLoaded({ key, result: { state: "failed", message: errorText(error), status: errorStatus(error) } });
      });
    return () => {
      live = false;
    };
  }, [path, key]);
  return loaded?.key === key ? loaded.result : { state: "loading" };
}

/** An ISO instant in the reader's locale and zone, to the minute. */
export function formatInstant(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function LoadFailed({ what, message }: { what: string; message: string }) {
  return (
    <p role="alert" className="admin-error">
      Could not load {what}: {message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p role="status">Loading {what}…</p>;
}
