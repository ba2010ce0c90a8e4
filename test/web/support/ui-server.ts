import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { runAllocation } from "../../../src/allocation/run-allocation.js";
import { runLinking } from "../../../src/linking/run-linking.js";
import { buildApp } from "../../../src/server/app.js";
import { createAccount } from "../../../src/server/auth/accounts.js";
import { loadServerConfig } from "../../../src/server/config.js";
import { FakeIntegrations } from "../../../src/server/routes/api/test-support/api-app.js";
import { importSimulation } from "../../../src/simulate/import-simulation.js";
import { simulateTeam, writeSimulation, type SimulationResult } from "../../../src/simulate/simulate.js";
import { replaceCategoryRules, type CategoryRule } from "../../../src/store/category-repository.js";
import type { ModelArtifact } from "../../../src/store/model-types.js";
import type { Store } from "../../../src/store/store.js";
import { openTestStore, type TestStore } from "../../../src/store/test-support/backends.js";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const CHROMIUM = "/usr/bin/chromium";

/**
 * CI runs as root in a container, where Chromium's sandbox cannot start, so it runs
 * with --no-sandbox. The machines have no GPU. The other flags stop Chromium's own
 * traffic (QUIC, update checks, sync, background requests), so the only requests are
 * the pages' own and the tests stay offline.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export const VIEWPORT = { width: 1280, height: 800 } as const;

/** The simulated team: 7 people, 3 working weeks from Monday 2025-03-03. */
export const SIMULATION = { people: 7, days: 15, seed: 7, start: "2025-03-03" } as const;
export const WEEK_STARTS = ["2025-03-03", "2025-03-10", "2025-03-17"] as const;

/** Password of every seeded account. The store is deleted after each run, so it protects nothing. */
export const PASSWORD = "correct horse battery staple";

export interface SeededPerson {
  personId: number;
  name: string;
  email: string;
  tz: string | null;
  login: string;
}

export interface UiServer {
  baseUrl: string;
  store: Store;
  app: FastifyInstance;
  simulation: SimulationResult;
  /** The member whose week the tests review, the manager of both teams, and an admin. */
  member: SeededPerson;
  manager: SeededPerson;
  admin: SeededPerson;
  /** Every simulated person, in simulation order. */
  people: SeededPerson[];
  /** A team of 6 (at least the minimum group size of 5) and one of 2, both managed by `manager`. */
  bigTeamId: number;
  smallTeamId: number;
  /** Everything the server logged, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

/** Returns the folder of the built UI: WORKLENS_TEST_WEB_ROOT when set (a developer's own build), else dist/web. */
export function webRoot(): string {
  const fromEnv = process.env["WORKLENS_TEST_WEB_ROOT"];
  return fromEnv !== undefined && fromEnv !== "" ? resolve(fromEnv) : join(ROOT, "dist/web");
}

/**
 * Fails loudly when something the browser tests need is missing, so they never pass by
 * skipping: the built UI and Debian's Chromium.
 */
export function assertPrerequisites(): void {
  const root = webRoot();
  if (!existsSync(join(root, "index.html"))) {
    throw new Error(
      `the web UI is not built: ${join(root, "index.html")} is missing; run npm run build first (in npm test the build runs before the tests), or set WORKLENS_TEST_WEB_ROOT to a folder that vite built`,
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing; install Debian's chromium: apt-get install chromium (.ci/run installs it in CI)`);
  }
}

export interface UiServerOptions {
  /**
   * Also register the bundled time model with weekly drift checks, and cost category
   * rules, so the admin models page and the cost category chart have data to show.
   */
  showcase?: boolean;
}

/**
 * Starts a server on 127.0.0.1 and a random port, on a fresh SQLite store seeded with a
 * simulated team through the real importers, linking (rule-based ranker, so the
 * suggestions do not depend on a trained model) and allocation.
 */
export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  assertPrerequisites();
  const simulation = simulateTeam(SIMULATION);
  const folder = mkdtempSync(join(tmpdir(), "worklens-ui-sim-"));
  let handle: TestStore | undefined;
  let app: FastifyInstance | undefined;
  try {
    await writeSimulation(folder, simulation);
    handle = await openTestStore("sqlite");
    const store = handle.store;
    await importSimulation(store, folder);
    await runLinking(store, { ranker: "rules" });
    const days = simulation.simulation.workingDays;
    await runAllocation(store, { from: days[0], to: days.at(-1) });

    const stored = await store.people.list();
    const people: SeededPerson[] = simulation.people.map((person) => {
      const match = stored.find((p) => p.email === person.email);
      if (match === undefined) throw new Error(`simulated person ${person.email} was not imported`);
      return { personId: match.id, name: match.displayName ?? person.displayName, email: person.email, tz: match.tz, login: person.login };
    });
    const [member, second, , , , admin, manager] = people;
    if (member === undefined || second === undefined || admin === undefined || manager === undefined) {
      throw new Error(`the simulation has ${String(people.length)} people; the UI tests need 7`);
    }

    const { bigTeamId, smallTeamId } = await store.transaction(async (tx) => {
      const fullTime = { share: 1, workingDays: [1, 2, 3, 4, 5], hoursPerDay: 8, tz: null };
      const big = await tx.teams.create({ name: "crawler", managerPersonId: manager.personId, aiMode: "feedback" });
      for (const person of people.slice(0, 6)) await tx.teams.setMember(big.id, person.personId, fullTime);
      const small = await tx.teams.create({ name: "pair", managerPersonId: manager.personId, aiMode: "feedback" });
      for (const person of [member, second]) await tx.teams.setMember(small.id, person.personId, fullTime);
      await tx.roles.grant(manager.personId, "manager");
      await tx.roles.grant(admin.personId, "admin");
      const now = Date.now();
      for (const person of [member, manager, admin]) await createAccount(tx, { personId: person.personId, login: person.login, password: PASSWORD }, now);
      return { bigTeamId: big.id, smallTeamId: small.id };
    });
    if (options.showcase === true) {
      await registerModels(store, days[0] ?? SIMULATION.start);
      await replaceCategoryRules(store, SHOWCASE_CATEGORY_RULES, { actor: "cli", at: Date.now() });
    }

    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString("utf8"));
        callback();
      },
    });
    const config = loadServerConfig({}, { WORKLENS_LOG_LEVEL: "warn", WORKLENS_ADMIN_TOKEN: "ui-tests-admin-token-0123456789abcdef", WORKLENS_RATE_LIMIT_MAX: "100000" });
    app = await buildApp({ store, config, logStream, webRoot: webRoot(), integrations: new FakeIntegrations() });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error(`the server listens on ${String(address)}, not a TCP port`);

    const started = app;
    const opened = handle;
    return {
      baseUrl: `http://127.0.0.1:${String(address.port)}`,
      store,
      app: started,
      simulation,
      member,
      manager,
      admin,
      people,
      bigTeamId,
      smallTeamId,
      logs: () => lines.join(""),
      close: async () => {
        await started.close();
        await opened.dispose();
      },
    };
  } catch (error) {
    await app?.close();
    await handle?.dispose();
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Bugs and operations are running costs; the rest of CRAWL and INDEX is product development. */
const SHOWCASE_CATEGORY_RULES: CategoryRule[] = [
  { matchKind: "issue_type", matchValue: "Bug", category: "OpEx" },
  { matchKind: "project", matchValue: "OPS", category: "OpEx" },
  { matchKind: "project", matchValue: "CRAWL", category: "CapEx" },
  { matchKind: "project", matchValue: "INDEX", category: "CapEx" },
];

/** Registers the bundled time model as live, a second version as a candidate, and weekly drift checks. */
async function registerModels(store: Store, firstDay: string): Promise<void> {
  const artifact = JSON.parse(readFileSync(join(ROOT, "models/time-default.json"), "utf8")) as ModelArtifact;
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  const week = 7 * 86_400_000;
  const first = await store.models.add({ artifact, createdAt: start - 4 * week });
  await store.models.promote(first.id, "bundled model", start - 4 * week);
  await store.models.add({ artifact: { ...artifact, metrics: { ...artifact.metrics } }, createdAt: start + 2 * week, note: "retrained on the first weeks" });
  const baseline = 1800;
  const errors = [1650, 1720, 1900, 2350, 2600, 1700];
  for (const [index, error] of errors.entries()) {
    const checkedAt = start + index * week;
    await store.models.recordDrift({
      kind: "time",
      modelId: first.id,
      checkedAt,
      window: { from: new Date(checkedAt - week).toISOString().slice(0, 10), to: new Date(checkedAt).toISOString().slice(0, 10) },
      n: 120 + index * 10,
      error,
      baselineError: baseline,
      drifted: error > baseline * 1.25,
      action: error > baseline * 1.4 ? "retrained" : "none",
    });
  }
}

export interface UiBrowser {
  browser: Browser;
  /** URLs of requests to any host other than 127.0.0.1, which the route handler aborted. */
  offHost: string[];
  /** A fresh context (own cookies, like a separate browser profile) at 1280×800 with the host guard installed. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless. playwright-core gives each launch a fresh temporary
 * profile and deletes it on close. Every request of every context goes through a route
 * handler that aborts and records any request to a host other than 127.0.0.1, so a
 * test fails when the UI reaches for a CDN or any other server.
 */
export async function launchBrowser(): Promise<UiBrowser> {
  assertPrerequisites();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
  const offHost: string[] = [];
  return {
    browser,
    offHost,
    newContext: async () => {
      const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, locale: "en-US", timezoneId: "UTC" });
      await context.route("**/*", async (route) => {
        const url = new URL(route.request().url());
        // blob: and data: URLs never leave the browser (the CSV download builds a blob: URL).
        if (url.protocol === "blob:" || url.protocol === "data:" || url.hostname === "127.0.0.1") return route.continue();
        offHost.push(url.href);
        return route.abort("blockedbyclient");
      });
      return context;
    },
    close: () => browser.close(),
  };
}
