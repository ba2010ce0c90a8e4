import { ApiError } from "../../api.js";

/** A failure to show to the person: the server's error and its hint, or a message of the page itself. */
export interface ShownError {
  message: string;
  hint?: string | undefined;
}

export function toShownError(error: unknown): ShownError {
  if (error instanceof ApiError) return { message: error.message, hint: error.hint };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

/** Renders an error in a live alert region, so screen readers announce it when it appears. */
export function ErrorAlert({ error, onDismiss }: { error: ShownError | undefined; onDismiss?: () => void }) {
  if (error === undefined) return null;
  return (
    <div className="wk-alert">
      <div role="alert">
        <p className="wk-alert-message">{error.message}</p>
        {error.hint !== undefined && error.hint !== "" && <p className="wk-alert-hint">{error.hint}</p>}
      </div>
      {onDismiss !== undefined && (
        <button type="button" className="wk-link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
