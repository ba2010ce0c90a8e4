/**
 * Writes the screenshots of docs/screenshots from a real server and Debian's Chromium,
 * with the same seeded store as the browser tests (test/web/support/ui-server.ts).
 *
 *   npm run screenshots                        # the six pages of the UI
 *   npm run screenshots -- --demo out/demo     # also demo-week.png from `npm run demo`'s store
 *   npm run screenshots -- --demo out/demo --week 2009-11-23   # that week of the demo, not its newest
 *
 * --demo reads the demo's store (worklens.sqlite and its .key file) and its web sign-in
 * (web-login.txt) from the folder that `npm run demo` wrote.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { buildApp } from "../src/server/app.js";
import { loadServerConfig } from "../src/server/config.js";
import { Store } from "../src/store/store.js";
import { evidenceDrawer, fillSignIn, signIn, submitWeek, UI_TIMEOUT, weekGrid, weekSuggestions } from "../test/web/support/pages.js";
import { launchBrowser, ROOT, startUiServer, WEEK_STARTS, webRoot, type UiBrowser } from "../test/web/support/ui-server.js";

const OUT = join(ROOT, "docs/screenshots");

async function shoot(page: Page, name: string): Promise<void> {
  // Let the charts finish their layout (ResponsiveContainer measures after the first paint).
  await page.waitForLoadState("networkidle");
  await page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
  const file = join(OUT, name);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`wrote ${file}\n`);
}

async function mainPages(browser: UiBrowser): Promise<void> {
  const server = await startUiServer({ showcase: true });
  try {
    const [first, review, submit] = WEEK_STARTS;
    const member = await signIn(browser, server, server.member);
    await member.page.goto(`${server.baseUrl}/week?week=${review}`);
    await weekGrid(member.page).waitFor();
    await shoot(member.page, "my-week.png");

    const suggestions = await weekSuggestions(member.context, server, review);
    const richest = [...suggestions].sort((a, b) => b.evidence.length - a.evidence.length)[0];
    if (richest === undefined) throw new Error(`the seeded week ${review} has no suggestions`);
    await member.page.getByTestId(`cell-${richest.issueKey ?? "unlinked"}-${richest.day}`).click();
    await evidenceDrawer(member.page).waitFor();
    await shoot(member.page, "evidence.png");

    // A submitted week, so the approvals page has a row.
    await submitWeek(member, server, submit);

    const manager = await signIn(browser, server, server.manager);
    await manager.page.goto(`${server.baseUrl}/team?team=${String(server.bigTeamId)}&from=${first}&to=${submit}`);
    await manager.page.getByTestId("chart-commitment").locator("svg").first().waitFor();
    await shoot(manager.page, "team-capacity.png");
    await manager.page.goto(`${server.baseUrl}/approvals`);
    await manager.page.getByRole("button", { name: "Approve" }).first().waitFor();
    await shoot(manager.page, "approvals.png");

    const admin = await signIn(browser, server, server.admin);
    await admin.page.goto(`${server.baseUrl}/admin`);
    await admin.page.getByRole("link", { name: "Models" }).click();
    // The seeded drift checks are of the time model; the page opens on the linking model.
    await admin.page.getByLabel("Model kind").selectOption("time");
    await admin.page.getByTestId("chart-drift").locator("svg").first().waitFor();
    await shoot(admin.page, "admin-models.png");
    await admin.page.getByRole("link", { name: "Privacy" }).click();
    await admin.page.getByRole("heading", { name: /privacy/i }).first().waitFor();
    await shoot(admin.page, "admin-privacy.png");
  } finally {
    await server.close();
  }
}

/** The Nutch demo's newest week, from the store `npm run demo` wrote, on a server of its own. */
async function demoWeek(browser: UiBrowser, folder: string, week: string | undefined): Promise<void> {
  const file = join(resolve(folder), "worklens.sqlite");
  if (!existsSync(file)) throw new Error(`${file} is missing; run npm run demo first, or pass the folder it wrote with --demo`);
  const { login, password } = demoSignIn(join(resolve(folder), "web-login.txt"));
  const store = await Store.open({ kind: "sqlite", file });
  const config = loadServerConfig({}, { WORKLENS_LOG_LEVEL: "warn" });
  const app = await buildApp({ store, config, webRoot: webRoot() });
  try {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("the demo server has no TCP port");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${String(address.port)}/`);
    await fillSignIn(page, login, password);
    await weekGrid(page).waitFor();
    if (week !== undefined) {
      await page.goto(`http://127.0.0.1:${String(address.port)}/week?week=${week}`);
      await weekGrid(page).locator('[data-testid^="cell-"]').first().waitFor();
    }
    await shoot(page, "demo-week.png");
  } finally {
    await app.close();
    await store.close();
  }
}

/** Reads the login and password that `npm run demo` wrote as "login: …" and "password: …" lines. */
function demoSignIn(file: string): { login: string; password: string } {
  if (!existsSync(file)) throw new Error(`${file} is missing; run npm run demo again, which writes the web sign-in there`);
  const text = readFileSync(file, "utf8");
  const login = /^login: (.+)$/m.exec(text)?.[1];
  const password = /^password: (.+)$/m.exec(text)?.[1];
  if (login === undefined || password === undefined) throw new Error(`${file} has no "login: " and "password: " lines; run npm run demo again`);
  return { login, password };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { demo: { type: "string" }, week: { type: "string" } } });
  if (values.week !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.week)) throw new Error(`invalid --week "${values.week}": expected a day as YYYY-MM-DD, such as 2009-11-23`);
  if (values.week !== undefined && values.demo === undefined) throw new Error("--week selects the demo's week: pass --demo with it");
  mkdirSync(OUT, { recursive: true });
  const browser = await launchBrowser();
  try {
    await mainPages(browser);
    if (values.demo !== undefined) await demoWeek(browser, values.demo, values.week);
    if (browser.offHost.length > 0) throw new Error(`the pages requested other hosts: ${browser.offHost.join(", ")}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
