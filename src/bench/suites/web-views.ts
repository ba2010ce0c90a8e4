import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { buildApp } from "../../server/app.js";
import { createApiKey, wakatimeIdentity } from "../../server/auth/api-keys.js";
import { loadServerConfig } from "../../server/config.js";
import { API_PREFIX } from "../../server/routes/api/common.js";
import { Store } from "../../store/store.js";
import type { BenchConfig } from "../config.js";
import { generateWorkload, MANIFEST_FILE, writeWorkload, type WorkloadManifest } from "../generate.js";
import { formatCount, formatMiB, formatMs, progress } from "../harness.js";
import { median, StageRecorder, type StageSample } from "../measure.js";
import type { Section } from "../report.js";
import { runSyntheticPipeline } from "../synthetic-pipeline.js";

/** Budgets of the web views' medians, in milliseconds. */
export const WEB_BUDGETS_MS = { weekView: 250, teamCharts12: 1_000, teamCharts52: 3_000 } as const;

/** Requests before the measured ones, so the JIT, SQLite's page cache and the connection are warm. */
const WARM_UP_ROUNDS = 3;

/** The generated year is 2024, which starts on a Monday, so its 52 ISO weeks are 2024-01-01 to 2024-12-29. */
const YEAR = { from: "2024-01-01", to: "2024-12-29" };
const LAST_12_WEEKS = { from: "2024-10-07", to: "2024-12-29" };

/** A full-time commitment, as most members of a real team have. */
const COMMITMENT = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };

type BudgetName = keyof typeof WEB_BUDGETS_MS;

/** One HTTP request of a view; a view is one or more requests that the page makes one after the other. */
interface ViewRequest {
  path: string;
  /** Short name in the report, such as "GET /weeks/{day}". */
  label: string;
  who: "member" | "manager" | "nobody";
  accept?: string;
  /** A request the view still makes sense without: the view is measured without it when this build does not serve it. */
  optional?: true;
}

interface View {
  name: string;
  /** Kind of page the view serves, or "baseline". */
  role: "week view" | "team charts" | "CSV export" | "baseline";
  budget?: BudgetName;
  requests: ViewRequest[];
}

/** A view's timings, or why it was not measured. */
interface ViewResult {
  view: View;
  /** Wall time of each measured round, all of the view's requests together. */
  samples: number[];
  /** Median wall time of each of the view's requests on its own, in request order. */
  parts: number[];
  bytes: number;
  /** Item count of the response: suggestions, weeks with numbers, CSV rows. */
  items: string;
  /** Optional requests left out of the view, each with its response status and error. */
  notes: string[];
  /** Reason the whole view was left out. */
  skipped?: string;
}

interface Dataset {
  storeFile: string;
  manifest: WorkloadManifest;
  generationMs: number;
  stages: StageSample[];
  facts: Record<string, number>;
  setupMs: number;
  people: number;
  teamId: number;
  member: { personId: number; name: string; secret: string; week: { from: string; to: string }; suggestions: number };
  manager: { personId: number; secret: string };
}

/**
 * Builds a 100-person team's year through the real importers, linking and
 * allocation. Then times, over HTTP on loopback, the server views the web UI
 * requests: a member's week, the team's capacity charts for 12 and 52 weeks and the
 * CSV export, with GET /api/health and index.html as the baseline of the same run.
 */
export async function benchWebViews(config: BenchConfig, work: string): Promise<Section> {
  const dataset = await buildDataset(config, join(work, "web"));
  const store = await Store.open({ kind: "sqlite", file: dataset.storeFile });
  try {
    // A rate limit far above the requests sent, so no response is a 429. Logs go at the
    // default level "info" into a stream that discards them, so their cost counts.
    const serverConfig = loadServerConfig({}, { WORKLENS_HOST: "127.0.0.1", WORKLENS_PORT: "0", WORKLENS_RATE_LIMIT_MAX: "100000000", WORKLENS_LOG_LEVEL: "info" });
    const app = await buildApp({ store, config: serverConfig, logStream: { write: () => undefined } });
    try {
      const url = await app.listen({ host: serverConfig.host, port: serverConfig.port });
      const results = await measureViews(url, views(dataset), dataset, config.repeats.web);
      return renderSection(config, dataset, results);
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
}

async function buildDataset(config: BenchConfig, folder: string): Promise<Dataset> {
  await mkdir(folder, { recursive: true });
  const sizes = config.web;
  let started = performance.now();
  const manifest = await writeWorkload(generateWorkload(sizes, config.seed), folder);
  const generationMs = performance.now() - started;
  progress(`web: generated ${formatCount(sizes.people)} people's year in ${formatMs(generationMs)}; importing, linking, allocating`);

  const storeFile = join(folder, "store.sqlite");
  const recorder = new StageRecorder();
  const facts = await runSyntheticPipeline(recorder, join(folder, MANIFEST_FILE), storeFile);
  const stages = recorder.samples.filter((s) => !s.name.includes("baseline"));
  progress(`web: pipeline ${stages.map((s) => `${s.name} ${formatMs(s.wallMs)}`).join(", ")}`);

  started = performance.now();
  const store = await Store.open({ kind: "sqlite", file: storeFile });
  try {
    const [memberFile, managerFile] = manifest.wakatime;
    if (memberFile === undefined || managerFile === undefined) throw new Error("the web views benchmark needs at least 2 people with WakaTime data");
    const now = Date.now();
    const memberIdentity = wakatimeIdentity(memberFile.email);
    const managerIdentity = wakatimeIdentity(managerFile.email);
    if (memberIdentity === undefined || managerIdentity === undefined) throw new Error("a generated e-mail address is not valid");

    const setup = await store.transaction(async (tx) => {
      const member = await createApiKey(tx, memberIdentity, now);
      const manager = await createApiKey(tx, managerIdentity, now);
      const people = await tx.people.list();
      const team = await tx.teams.create({ name: "Web bench team", managerPersonId: manager.personId }, now);
      for (const person of people) await tx.teams.setMember(team.id, person.id, COMMITMENT);
      return { member, manager, people: people.length, teamId: team.id };
    });
    if (setup.people !== sizes.people) {
      throw new Error(`the importers made ${String(setup.people)} people of ${String(sizes.people)} generated ones; the team would not be the generated team`);
    }
    const week = await busiestWeek(store, setup.member.personId);
    const setupMs = performance.now() - started;
    return {
      storeFile,
      manifest,
      generationMs,
      stages,
      facts,
      setupMs,
      people: setup.people,
      teamId: setup.teamId,
      member: { personId: setup.member.personId, name: memberFile.displayName, secret: setup.member.secret, week: week.range, suggestions: week.suggestions },
      manager: { personId: setup.manager.personId, secret: setup.manager.secret },
    };
  } finally {
    await store.close();
  }
}

/**
 * Finds the member's ISO week with the most suggestions, the week grid's largest
 * response, so the view is timed on its worst week rather than a typical one.
 */
async function busiestWeek(store: Store, personId: number): Promise<{ range: { from: string; to: string }; suggestions: number }> {
  const counts = new Map<string, number>();
  for (const suggestion of await store.results.suggestions(YEAR.from, YEAR.to)) {
    if (suggestion.personId !== personId) continue;
    const monday = mondayOf(suggestion.day);
    counts.set(monday, (counts.get(monday) ?? 0) + 1);
  }
  const [monday, suggestions] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  if (monday === undefined || suggestions === undefined) throw new Error(`person ${String(personId)} has no suggestions in ${YEAR.from} to ${YEAR.to}`);
  return { range: { from: monday, to: addDays(monday, 6) }, suggestions };
}

function mondayOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return addDays(day, -((date.getUTCDay() + 6) % 7));
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function views(dataset: Dataset): View[] {
  const week = dataset.member.week;
  const team = `${API_PREFIX}/teams/${String(dataset.teamId)}`;
  return [
    { name: "GET /api/health", role: "baseline", requests: [{ path: "/api/health", label: "GET /api/health", who: "nobody" }] },
    { name: "GET / (index.html)", role: "baseline", requests: [{ path: "/", label: "GET /", who: "nobody", accept: "text/html" }] },
    {
      name: `a member's busiest week, ${week.from}`,
      role: "week view",
      budget: "weekView",
      requests: [
        { path: `${API_PREFIX}/suggestions?from=${week.from}&to=${week.to}`, label: "GET /suggestions", who: "member" },
        { path: `${API_PREFIX}/weeks/${week.from}`, label: "GET /weeks/{day}", who: "member", optional: true },
      ],
    },
    {
      name: `team capacity, 12 weeks (${LAST_12_WEEKS.from} to ${LAST_12_WEEKS.to})`,
      role: "team charts",
      budget: "teamCharts12",
      requests: [{ path: `${team}/capacity?from=${LAST_12_WEEKS.from}&to=${LAST_12_WEEKS.to}`, label: "GET /teams/{id}/capacity", who: "manager" }],
    },
    {
      name: `team capacity, 52 weeks (${YEAR.from} to ${YEAR.to})`,
      role: "team charts",
      budget: "teamCharts52",
      requests: [{ path: `${team}/capacity?from=${YEAR.from}&to=${YEAR.to}`, label: "GET /teams/{id}/capacity", who: "manager" }],
    },
    {
      name: "team capacity CSV by project, 52 weeks",
      role: "CSV export",
      requests: [{ path: `${team}/capacity.csv?from=${YEAR.from}&to=${YEAR.to}&breakdown=project`, label: "GET /teams/{id}/capacity.csv", who: "manager" }],
    },
  ];
}

interface Reply {
  ms: number;
  status: number;
  bytes: number;
  contentType: string;
  body: string;
}

async function send(url: string, request: ViewRequest, dataset: Dataset): Promise<Reply> {
  const headers: Record<string, string> = { accept: request.accept ?? "application/json" };
  if (request.who !== "nobody") headers["authorization"] = `Bearer ${dataset[request.who].secret}`;
  const started = performance.now();
  const response = await fetch(url + request.path, { headers });
  const body = await response.text();
  const ms = performance.now() - started;
  return { ms, status: response.status, bytes: Buffer.byteLength(body), contentType: response.headers.get("content-type") ?? "", body };
}

/**
 * Sends each view's requests round-robin. One round requests every view once, in
 * order, so noise from the machine lands on all views alike, baselines included.
 * A request whose first response is not 200, such as a route this build does not
 * serve yet, is left out. An optional one leaves its view, a required one takes its
 * whole view out, and the report lists each with its status.
 */
async function measureViews(url: string, list: readonly View[], dataset: Dataset, requests: number): Promise<ViewResult[]> {
  const results: ViewResult[] = [];
  for (const listed of list) {
    const served: ViewRequest[] = [];
    const replies: Reply[] = [];
    const notes: string[] = [];
    let skipped: string | undefined;
    for (const request of listed.requests) {
      const reply = await send(url, request, dataset);
      if (reply.status === 200) {
        served.push(request);
        replies.push(reply);
        continue;
      }
      const reason = `${request.path} responded ${String(reply.status)} "${errorText(reply.body)}"`;
      if (request.optional === true) notes.push(reason);
      else skipped ??= reason;
    }
    const view = { ...listed, requests: served };
    const result: ViewResult = { view, samples: [], parts: [], bytes: sumOf(replies.map((a) => a.bytes)), items: describeItems(view, replies), notes };
    if (skipped !== undefined) result.skipped = skipped;
    for (const note of [...notes, ...(skipped === undefined ? [] : [skipped])]) progress(`  web: not measured: ${note}`);
    results.push(result);
  }

  const live = results.filter((r) => r.skipped === undefined);
  const partSamples = new Map<ViewResult, number[][]>(live.map((r) => [r, r.view.requests.map(() => [])]));
  for (let round = 1 - WARM_UP_ROUNDS; round <= requests; round += 1) {
    for (const result of live) {
      let total = 0;
      for (const [index, request] of result.view.requests.entries()) {
        const reply = await send(url, request, dataset);
        if (reply.status !== 200) throw new Error(`${request.path} responded ${String(reply.status)} after responding 200 before: ${errorText(reply.body)}`);
        total += reply.ms;
        if (round > 0) partSamples.get(result)?.[index]?.push(reply.ms);
      }
      if (round > 0) result.samples.push(total);
    }
    if (round > 0 && (round % 10 === 0 || round === requests)) progress(`  web: round ${String(round)}/${String(requests)}`);
  }
  for (const result of live) result.parts = (partSamples.get(result) ?? []).map((samples) => median(samples));
  return results;
}

function describeItems(view: View, replies: readonly Reply[]): string {
  const [first] = replies;
  if (first === undefined || first.status !== 200) return "–";
  if (view.role === "CSV export") return `${formatCount(Math.max(0, first.body.trimEnd().split("\n").length - 1))} rows`;
  if (view.role === "baseline") return "–";
  const json = JSON.parse(first.body) as unknown;
  if (view.role === "week view" && isRecord(json) && Array.isArray(json["data"])) return `${formatCount(json["data"].length)} suggestions`;
  if (view.role === "team charts" && isRecord(json) && Array.isArray(json["weeks"])) {
    const weeks = json["weeks"] as unknown[];
    const withNumbers = weeks.filter((w) => isRecord(w) && w["totals"] !== null).length;
    return `${formatCount(weeks.length)} weeks, ${formatCount(withNumbers)} with numbers`;
  }
  return "–";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    if (isRecord(json) && typeof json["error"] === "string") return json["error"];
  } catch {
    // Not JSON, so the start of the text is used as the error message.
  }
  return body.slice(0, 80);
}

/** Nearest-rank percentile: the smallest sample that at least p percent of the samples are at or below. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
}

function sumOf(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function renderSection(config: BenchConfig, dataset: Dataset, results: readonly ViewResult[]): Section {
  const sizes = config.web;
  const buildMs = dataset.generationMs + sumOf(dataset.stages.map((s) => s.wallMs)) + dataset.setupMs;
  const missing = results.flatMap((r) => [...r.notes.map((note) => `${r.view.name}: ${note}`), ...(r.skipped === undefined ? [] : [`${r.view.name}: ${r.skipped}`])]);
  return {
    title: "6. Web views on a 100-person, one-year team",
    blocks: [
      `${formatCount(sizes.people)} people (${formatCount(dataset.manifest.wakatime.length)} of them engineers with WakaTime data), ${formatCount(sizes.issues)} Jira issues, ` +
        `${formatCount(sizes.commits)} commits and ${formatCount(sizes.heartbeats)} WakaTime heartbeats over 2024, generated with seed ${config.seed} ` +
        "and imported, linked and allocated by the real importers into a fresh SQLite store, as in section 4. " +
        `All ${formatCount(dataset.people)} people are members of one team with a full-time commitment (Monday to Friday, 8 hours); ` +
        "one member and the team's manager, also a member, get an API key each." +
        (config.quick ? " These are the small sizes of `--quick`, not 100 people." : ""),
      {
        headers: ["building the dataset", "time"],
        rows: [
          ["generate the input files", formatMs(dataset.generationMs)],
          ...dataset.stages.map((s) => [s.name, formatMs(s.wallMs)]),
          ["team of all people, commitments, 2 API keys", formatMs(dataset.setupMs)],
          ["**total**", `**${formatMs(buildMs)}**`],
        ],
      },
      `The dataset holds ${formatCount(dataset.facts["suggestions"] ?? 0)} suggestions over ${formatCount(dataset.facts["person-days"] ?? 0)} person-days ` +
        `from ${formatCount(dataset.facts["linked activities"] ?? 0)} activities; the build's peak RSS was ${formatMiB(Math.max(...dataset.stages.map((s) => s.maxRssBytes)))} MiB. ` +
        "Its time is reported, not held to a budget.",
      `The server (\`buildApp\`, logs at level info into a discarded stream, rate limit far above the load) listens on 127.0.0.1 in this process; ` +
        "Node's `fetch` sends requests to it over one keep-alive connection, one request at a time, and a time runs from sending the request to reading the last byte of the reply. " +
        `After ${String(WARM_UP_ROUNDS)} warm-up rounds, ${formatCount(config.repeats.web)} rounds each request every view once, in the order of the table, ` +
        "so a noisy moment of the machine lands on every view, the baselines included. " +
        `The week view is the member's busiest week (${formatCount(dataset.member.suggestions)} suggestions): the grid's suggestions with their evidence and the week's review status, two requests one after the other as the page makes them. ` +
        "The team's manager sends the team views' requests.",
      `Budgets of the median: week view ≤ ${formatMs(WEB_BUDGETS_MS.weekView)}, team charts for 12 weeks ≤ ${formatMs(WEB_BUDGETS_MS.teamCharts12)}, ` +
        `team charts for 52 weeks ≤ ${formatMs(WEB_BUDGETS_MS.teamCharts52)}. The CSV export and the baselines have none.`,
      {
        headers: ["view", "median", "p95", "min – max", "each request's median", "response (KiB)", "items", "budget"],
        rows: results.map((r) => viewRow(r)),
      },
      missing.length === 0
        ? "Every request got a 200 response."
        : `Not measured, because this build replies with an error, so the view was measured without it or not at all: ${missing.join("; ")}.`,
    ],
  };
}

function viewRow(result: ViewResult): string[] {
  const { view, samples } = result;
  const name = view.role === "week view" ? `${view.name}: ${view.requests.map((r) => r.label).join(" + ")}` : view.name;
  if (result.skipped !== undefined) return [name, "not measured", "–", "–", "–", "–", "–", budgetText(view, Number.NaN)];
  const mid = median(samples);
  return [
    name,
    formatMs(mid),
    formatMs(percentile(samples, 95)),
    `${formatMs(Math.min(...samples))} – ${formatMs(Math.max(...samples))}`,
    view.requests.length === 1 ? "–" : result.parts.map((ms) => formatMs(ms)).join(" + "),
    (result.bytes / 1024).toFixed(1),
    result.items,
    budgetText(view, mid),
  ];
}

function budgetText(view: View, medianMs: number): string {
  if (view.budget === undefined) return "–";
  const budget = WEB_BUDGETS_MS[view.budget];
  if (!Number.isFinite(medianMs)) return `≤ ${formatMs(budget)}: not measured`;
  return `≤ ${formatMs(budget)}: ${medianMs <= budget ? "within" : "**over**"}`;
}
