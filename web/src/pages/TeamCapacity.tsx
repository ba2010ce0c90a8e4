import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, ApiError, downloadCsv } from "../api.js";
import { sentence } from "../components/admin/common.js";
import { CommitmentChart } from "../components/charts/CommitmentChart.js";
import { StackedBarChart } from "../components/charts/StackedBarChart.js";
import {
  commitmentRows,
  isDay,
  mondayOf,
  stackedRows,
  twelveWeeksEnding,
  type BreakdownKey,
  type CsvBreakdown,
  type TeamCapacity,
} from "../components/charts/capacity.js";
import "../components/charts/charts.css";

interface Team {
  id: number;
  name: string;
}

const BREAKDOWNS: { testId: string; title: string; key: BreakdownKey; csv: CsvBreakdown }[] = [
  { testId: "chart-project", title: "Time by project", key: "byProject", csv: "project" },
  { testId: "chart-epic", title: "Time by epic", key: "byEpic", csv: "epic" },
  { testId: "chart-issue-type", title: "Time by issue type", key: "byIssueType", csv: "issueType" },
  { testId: "chart-cost-category", title: "Time by cost category", key: "byCostCategory", csv: "costCategory" },
  { testId: "chart-work-kind", title: "Time by kind of work", key: "byCategory", csv: "workKind" },
  { testId: "chart-linked", title: "Linked versus unlinked time", key: "linkedVersusUnlinked", csv: "linked" },
];

type TeamsState = { state: "loading" } | { state: "ready"; teams: Team[] } | { state: "forbidden" } | { state: "failed"; message: string };
type CapacityState = { state: "idle" } | { state: "loading" } | { state: "ready"; capacity: TeamCapacity } | { state: "failed"; message: string; status: number | null };

function describe(error: unknown): { message: string; status: number | null } {
  if (error instanceof ApiError) return { message: error.hint === undefined ? error.message : `${error.message}. ${sentence(error.hint)}`, status: error.status };
  return { message: error instanceof Error ? error.message : "the request failed", status: null };
}

function today(): string {
  const now = new Date();
  return `${String(now.getFullYear())}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

/** Team capacity for managers and the admin: a team, a range of ISO weeks, and one chart per breakdown. */
export function TeamCapacityPage() {
  const [params, setParams] = useSearchParams();
  const [teams, setTeams] = useState<TeamsState>({ state: "loading" });
  const [loaded, setLoaded] = useState<{ path: string; result: CapacityState } | null>(null);
  const teamParam = params.get("team");
  const teamId = teamParam !== null && /^\d+$/.test(teamParam) ? Number(teamParam) : null;
  const from = params.get("from");
  const to = params.get("to");

  useEffect(() => {
    let live = true;
    api
      .get<{ data: Team[] }>("/teams")
      .then((response) => {
        if (live) setTeams({ state: "ready", teams: response.data });
      })
      .catch((error: unknown) => {
        if (!live) return;
        // GET /teams is for the admin; a manager without the admin role picks the team by its id.
        if (error instanceof ApiError && error.status === 403) setTeams({ state: "forbidden" });
        else setTeams({ state: "failed", message: describe(error).message });
      });
    return () => {
      live = false;
    };
  }, []);

  // Fill in whatever the URL leaves out. The team: the first one listed.
  const firstTeam = teamId === null && teams.state === "ready" ? teams.teams[0] : undefined;
  useEffect(() => {
    if (firstTeam === undefined) return;
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set("team", String(firstTeam.id));
        return next;
      },
      { replace: true },
    );
  }, [firstTeam, setParams]);

  // The range: the 12 ISO weeks ending with the newest week that has suggestions, else with the current week.
  const needsRange = !isDay(from) || !isDay(to);
  useEffect(() => {
    if (!needsRange) return;
    let live = true;
    void api
      .get<{ data: { weekStart: string }[] }>("/weeks?limit=1")
      .then((response) => response.data[0]?.weekStart ?? today())
      .catch(() => today())
      .then((day) => {
        if (!live) return;
        const range = twelveWeeksEnding(isDay(day) ? day : today());
        setParams(
          (current) => {
            const next = new URLSearchParams(current);
            next.set("from", range.from);
            next.set("to", range.to);
            return next;
          },
          { replace: true },
        );
      });
    return () => {
      live = false;
    };
  }, [needsRange, setParams]);

  const capacityPath = teamId !== null && isDay(from) && isDay(to) ? `/teams/${String(teamId)}/capacity?from=${from}&to=${to}` : null;
  useEffect(() => {
    if (capacityPath === null) return;
    let live = true;
    api
      .get<TeamCapacity | { data: TeamCapacity }>(capacityPath)
      .then((response) => {
        // The capacity route returns the object itself. A {data} envelope is accepted as well, in case the route adopts the common one.
        if (live) setLoaded({ path: capacityPath, result: { state: "ready", capacity: "data" in response ? response.data : response } });
      })
      .catch((error: unknown) => {
        if (live) setLoaded({ path: capacityPath, result: { state: "failed", ...describe(error) } });
      });
    return () => {
      live = false;
    };
  }, [capacityPath]);
  // Derived rather than set in the effect, so a new team or range shows "loading" in the same render that changes it.
  const capacity: CapacityState = capacityPath === null ? { state: "idle" } : loaded?.path === capacityPath ? loaded.result : { state: "loading" };

  const update = (changes: Record<string, string>) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) next.set(name, value);
      return next;
    });
  };

  const download = (csv: CsvBreakdown) => async () => {
    if (teamId === null || !isDay(from) || !isDay(to)) return;
    await downloadCsv(`/teams/${String(teamId)}/capacity.csv?from=${from}&to=${to}&breakdown=${csv}`, `team-${String(teamId)}-${csv}-${from}-${to}.csv`);
  };

  return (
    <section className="team-capacity">
      <h1>Team capacity{capacity.state === "ready" ? `: ${capacity.capacity.team.name}` : ""}</h1>
      <form className="capacity-controls" onSubmit={(event) => { event.preventDefault(); }}>
        <TeamPicker teams={teams} teamId={teamId} onChange={(id) => { update({ team: String(id) }); }} />
        <label>
          From
          <input type="date" value={isDay(from) ? from : ""} max={isDay(to) ? to : undefined} onChange={(event) => { if (isDay(event.target.value)) update({ from: mondayOf(event.target.value) }); }} />
        </label>
        <label>
          To
          <input type="date" value={isDay(to) ? to : ""} min={isDay(from) ? from : undefined} onChange={(event) => { if (isDay(event.target.value)) update({ to: event.target.value }); }} />
        </label>
      </form>
      {teams.state === "failed" && <p role="alert" className="capacity-error">Could not list teams: {teams.message}</p>}
      {teams.state === "ready" && teams.teams.length === 0 && <p className="capacity-empty">There are no teams yet. An administrator creates them with `worklens teams create`.</p>}
      {capacity.state === "loading" && <p role="status">Loading capacity…</p>}
      {capacity.state === "failed" && (
        <p role="alert" className="capacity-error">
          {capacity.status === 409 ? "" : "Could not load capacity: "}
          {capacity.message}
        </p>
      )}
      {capacity.state === "ready" && <CapacityCharts capacity={capacity.capacity} download={download} />}
    </section>
  );
}

function TeamPicker({ teams, teamId, onChange }: { teams: TeamsState; teamId: number | null; onChange: (id: number) => void }) {
  const [typed, setTyped] = useState(teamId === null ? "" : String(teamId));
  if (teams.state === "forbidden") {
    return (
      <>
        <label>
          Team
          <input
          type="number"
          min={1}
          inputMode="numeric"
          value={typed}
          aria-describedby="team-id-help"
          onChange={(event) => { setTyped(event.target.value); }}
          onBlur={() => { if (/^\d+$/.test(typed) && Number(typed) > 0) onChange(Number(typed)); }}
          />
        </label>
        <span id="team-id-help" className="field-help">The id of a team you manage.</span>
      </>
    );
  }
  const list = teams.state === "ready" ? teams.teams : [];
  const known = teamId === null || list.some((team) => team.id === teamId);
  return (
    <label>
      Team
      <select value={teamId === null ? "" : String(teamId)} disabled={list.length === 0} onChange={(event) => { onChange(Number(event.target.value)); }}>
        {teamId === null && <option value="">{teams.state === "loading" ? "Loading…" : "Choose a team"}</option>}
        {!known && <option value={String(teamId)}>Team {teamId}</option>}
        {list.map((team) => (
          <option key={team.id} value={String(team.id)}>
            {team.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function CapacityCharts({ capacity, download }: { capacity: TeamCapacity; download: (csv: CsvBreakdown) => () => Promise<void> }) {
  const gapLabel = `fewer than ${String(capacity.minGroupSize)} people`;
  const shown = capacity.weeks.filter((week) => week.totals !== null).length;
  return (
    <>
      <p className="capacity-summary">
        {capacity.from} to {capacity.to}: {capacity.weeks.length} ISO weeks, {shown} with numbers. Weeks and groups with {gapLabel} are not shown separately.
      </p>
      <div className="chart-grid">
        <CommitmentChart data={commitmentRows(capacity.weeks)} gapLabel={gapLabel} onDownload={download("commitment")} />
        {BREAKDOWNS.map((breakdown) => (
          <StackedBarChart
            key={breakdown.testId}
            testId={breakdown.testId}
            title={breakdown.title}
            data={stackedRows(capacity.weeks, breakdown.key)}
            gapLabel={gapLabel}
            onDownload={download(breakdown.csv)}
          />
        ))}
      </div>
    </>
  );
}
