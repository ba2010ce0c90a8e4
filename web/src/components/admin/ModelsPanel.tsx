import { useState } from "react";
import { CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { api } from "../../api.js";
import { errorText, formatInstant, LoadFailed, Loading, useApiGet } from "./common.js";

const KINDS = ["linking", "time"] as const;
type ModelKind = (typeof KINDS)[number];

interface ModelEntry {
  id: number;
  kind: ModelKind;
  version: number;
  status: "candidate" | "live" | "retired" | "rejected";
  trainedAt: string;
  trainingWindow: { from: string; to: string } | null;
  metrics: Record<string, number>;
  live: boolean;
}

interface Drift {
  threshold: number | null;
  points: { at: string; error: number; retrained: boolean }[];
}

/** Metrics the promotion gate compares come first; the trainer's own follow. */
const KEY_METRICS = ["holdout_error", "reference_error"];
const MAX_METRICS = 4;

function formatMetric(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function keyMetrics(metrics: Record<string, number>): [string, number][] {
  const entries = Object.entries(metrics);
  const rank = (name: string) => {
    const at = KEY_METRICS.indexOf(name);
    return at === -1 ? KEY_METRICS.length : at;
  };
  return entries.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0])).slice(0, MAX_METRICS);
}

export function ModelsPanel({ readOnly }: { readOnly: boolean }) {
  const [version, setVersion] = useState(0);
  const [kind, setKind] = useState<ModelKind>("linking");
  const models = useApiGet<{ data: ModelEntry[] }>("/models", version);
  const [note, setNote] = useState<{ text: string; failed: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const retrain = async () => {
    setBusy(true);
    setNote(null);
    try {
      const response = await api.post<{ data: { status: string; message: string } }>(`/models/${kind}/retrain`);
      setNote({ text: `${response.data.status === "queued" ? "Queued" : "Not available"}: ${response.data.message}`, failed: response.data.status === "unavailable" });
    } catch (error: unknown) {
      setNote({ text: errorText(error), failed: true });
    } finally {
      setBusy(false);
    }
  };

  const rollback = async (model: ModelEntry) => {
    setBusy(true);
    setNote(null);
    try {
      const response = await api.post<{ data: ModelEntry }>(`/models/${String(model.id)}/rollback`);
      setNote({ text: `Rolled back: ${response.data.kind} version ${String(response.data.version)} is live again.`, failed: false });
      setVersion((v) => v + 1);
    } catch (error: unknown) {
      setNote({ text: errorText(error), failed: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="models-title">
      <div className="admin-head">
        <h2 id="models-title">Models</h2>
        {readOnly && <span className="admin-badge">read only</span>}
      </div>
      {models.state === "loading" && <Loading what="models" />}
      {models.state === "failed" && <LoadFailed what="models" message={models.message} />}
      {models.state === "ready" && <ModelTable models={models.data.data} readOnly={readOnly} busy={busy} onRollback={(model) => void rollback(model)} />}

      <div className="admin-head admin-subhead">
        <h3>Drift</h3>
        <label className="admin-inline-field">
          Model kind
          <select value={kind} onChange={(event) => { setKind(KINDS.find((k) => k === event.target.value) ?? kind); }}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {!readOnly && (
          <button type="button" onClick={() => void retrain()} disabled={busy} title={`Queue training of a new ${kind} model`}>
            Retrain
          </button>
        )}
      </div>
      {note !== null && (
        <p role={note.failed ? "alert" : "status"} className={note.failed ? "admin-error" : "admin-ok"}>
          {note.text}
        </p>
      )}
      <DriftChart kind={kind} version={version} />
    </section>
  );
}

function ModelTable({ models, readOnly, busy, onRollback }: { models: ModelEntry[]; readOnly: boolean; busy: boolean; onRollback: (model: ModelEntry) => void }) {
  if (models.length === 0) {
    return (
      <p className="admin-note">
        This store has no trained model of its own yet. Until it has one, linking uses the ranker bundled with worklens and time uses the
        session rules (the demo also uses the bundled time model). Models appear here after the first training run, from Retrain or{" "}
        <code>worklens train</code>.
      </p>
    );
  }
  // The server rolls back a live model to the one live before it, so only a live model with an earlier retired version offers it.
  const canRollBack = (model: ModelEntry) => model.live && models.some((other) => other.kind === model.kind && other.status === "retired" && other.version < model.version);
  return (
    <table className="admin-table" aria-label="Models">
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Version</th>
          <th scope="col">Status</th>
          <th scope="col">Trained at</th>
          <th scope="col">Training window</th>
          <th scope="col">Key metrics</th>
          <th scope="col">Live</th>
          {!readOnly && (
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {models.map((model) => (
          <tr key={model.id} className={model.live ? "admin-live-row" : undefined}>
            <td>{model.kind}</td>
            <td>v{model.version}</td>
            <td>
              <span className={`status status-${model.status}`}>{model.status}</span>
            </td>
            <td>{formatInstant(model.trainedAt)}</td>
            <td>{model.trainingWindow === null ? "" : `${model.trainingWindow.from} to ${model.trainingWindow.to}`}</td>
            <td className="admin-metrics">
              {keyMetrics(model.metrics).map(([name, value]) => (
                <span key={name}>
                  {name} {formatMetric(value)}
                </span>
              ))}
            </td>
            <td>{model.live ? "yes" : "no"}</td>
            {!readOnly && (
              <td>
                {canRollBack(model) && (
                  <button type="button" disabled={busy} onClick={() => { onRollback(model); }} aria-label={`Roll back ${model.kind} v${String(model.version)}`}>
                    Roll back
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DriftChart({ kind, version }: { kind: ModelKind; version: number }) {
  const drift = useApiGet<{ data: Drift }>(`/models/drift?kind=${kind}`, version);
  if (drift.state === "loading") return <Loading what="drift history" />;
  if (drift.state === "failed") return <LoadFailed what="drift history" message={drift.message} />;
  const { threshold, points } = drift.data.data;
  const rows = points.map((point) => ({ at: Date.parse(point.at), error: point.error, retrained: point.retrained }));
  const retrained = rows.filter((row) => row.retrained);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return (
    <figure className="chart admin-drift" data-testid="chart-drift" aria-labelledby="drift-title">
      <h4 id="drift-title">Error of the live {kind} model over time</h4>
      {rows.length === 0 ? (
        <p className="admin-note">No drift checks yet. The training job checks each kind once a day.</p>
      ) : (
        <div className="chart-plot" aria-hidden="true">
          <ResponsiveContainer width="100%" height={260}>
            <ComposedChart data={rows} margin={{ top: 12, right: 24, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="at" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={day} fontSize={11} />
              <YAxis fontSize={11} width={56} label={{ value: "Error", angle: -90, position: "insideLeft", fontSize: 11 }} />
              <Tooltip labelFormatter={(label) => (typeof label === "number" ? formatInstant(new Date(label).toISOString()) : "")} formatter={(value) => (typeof value === "number" ? formatMetric(value) : "")} />
              <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
              {threshold !== null && (
                <ReferenceLine y={threshold} stroke="#d55e00" strokeDasharray="6 3" ifOverflow="extendDomain" label={{ value: `drift threshold ${formatMetric(threshold)}`, position: "insideTopRight", fontSize: 11, fill: "#a03c00" }} />
              )}
              {retrained.map((row) => (
                <ReferenceLine key={row.at} x={row.at} stroke="#d55e00" strokeOpacity={0.5} label={{ value: "retrained", position: "insideTopLeft", fontSize: 10, fill: "#a03c00" }} />
              ))}
              <Line name="Error" type="monotone" dataKey="error" stroke="#0072b2" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
              <Scatter name="Retrained" data={retrained} dataKey="error" fill="#d55e00" shape="diamond" legendType="diamond" isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="sr-only">
        <caption>Drift checks of the {kind} model{threshold === null ? "" : `, drift threshold ${formatMetric(threshold)}`}</caption>
        <thead>
          <tr>
            <th scope="col">Checked at</th>
            <th scope="col">Error</th>
            <th scope="col">Retrained</th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.at}>
              <td>{formatInstant(point.at)}</td>
              <td>{formatMetric(point.error)}</td>
              <td>{point.retrained ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
