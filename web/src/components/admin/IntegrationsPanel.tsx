import { useState } from "react";
import { api } from "../../api.js";
import { errorText, formatInstant, LoadFailed, Loading, useApiGet } from "./common.js";

interface SyncRun {
  id: number;
  kind: "sync" | "push" | "write-back";
  status: "running" | "succeeded" | "failed";
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

interface Integration {
  name: string;
  kind: string;
  target: string;
  everyMinutes: number | null;
  writeBack: boolean;
  lastRun: SyncRun | null;
  lastSuccess: SyncRun | null;
}

/** Configured integrations with their last runs, and a sync on request. */
export function IntegrationsPanel() {
  const [version, setVersion] = useState(0);
  const load = useApiGet<{ data: Integration[] }>("/integrations", version);
  const [notes, setNotes] = useState<Record<string, { text: string; failed: boolean }>>({});

  const sync = async (name: string) => {
    setNotes((current) => ({ ...current, [name]: { text: "Asking for a sync…", failed: false } }));
    try {
      const result = await api.post<{ status: string; jobId: string | null }>(`/integrations/${encodeURIComponent(name)}/sync`);
      setNotes((current) => ({ ...current, [name]: { text: result.status === "queued" ? "Sync queued." : "A sync already waits.", failed: false } }));
    } catch (error: unknown) {
      setNotes((current) => ({ ...current, [name]: { text: errorText(error), failed: true } }));
    }
  };

  return (
    <section aria-labelledby="integrations-title">
      <div className="admin-head">
        <h2 id="integrations-title">Integrations</h2>
        <button type="button" onClick={() => { setVersion((v) => v + 1); }}>
          Refresh
        </button>
      </div>
      {load.state === "loading" && <Loading what="integrations" />}
      {load.state === "failed" &&
        (load.status === 404 ? <p className="admin-note">{load.message}</p> : <LoadFailed what="integrations" message={load.message} />)}
      {load.state === "ready" && load.data.data.length === 0 && <p className="admin-note">No integrations are configured.</p>}
      {load.state === "ready" && load.data.data.length > 0 && (
        <table className="admin-table" aria-label="Integrations">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Reads from</th>
              <th scope="col">Last sync</th>
              <th scope="col">Status</th>
              <th scope="col">Last success</th>
              <th scope="col">Error</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {load.data.data.map((integration) => {
              const note = notes[integration.name];
              return (
                <tr key={integration.name}>
                  <th scope="row">{integration.name}</th>
                  <td>{integration.kind}</td>
                  <td>{integration.target}</td>
                  <td>{integration.lastRun === null ? "never" : formatInstant(integration.lastRun.startedAt)}</td>
                  <td>
                    <span className={`status status-${integration.lastRun?.status ?? "none"}`}>{integration.lastRun?.status ?? "never run"}</span>
                  </td>
                  <td>{formatInstant(integration.lastSuccess?.finishedAt ?? integration.lastSuccess?.startedAt)}</td>
                  <td className="admin-error-cell">{integration.lastRun?.error ?? ""}</td>
                  <td>
                    <button type="button" onClick={() => void sync(integration.name)}>
                      Sync now
                    </button>
                    {note !== undefined && (
                      <span role={note.failed ? "alert" : "status"} className={note.failed ? "admin-inline-error" : "admin-inline-note"}>
                        {note.text}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
