import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  addDays,
  API,
  apiGet,
  cell,
  evidenceDrawer,
  fillSignIn,
  openSignIn,
  parseCsv,
  shownHours,
  signIn,
  submitWeek,
  weekGrid,
  weekSuggestions,
  type Signed,
  type Suggestion,
  UI_TIMEOUT,
} from "./support/pages.js";
import { launchBrowser, PASSWORD, startUiServer, WEEK_STARTS, type UiBrowser, type UiServer } from "./support/ui-server.js";

/**
 * The browser UI end to end: Debian's Chromium against a real server on 127.0.0.1 with a
 * seeded SQLite store. The tests run in order and build on each other, as one person's
 * morning would: the member reviews a week, the manager watches the team's numbers move.
 */

/** The week the member accepts and edits in, and the week they submit for approval. */
const REVIEW_WEEK = WEEK_STARTS[1];
const SUBMIT_WEEK = WEEK_STARTS[2];
const RANGE = { from: WEEK_STARTS[0], to: addDays(SUBMIT_WEEK, 6) };

let server: UiServer;
let browser: UiBrowser;
let member: Signed | undefined;
let manager: Signed | undefined;
/** Confirmed hours of REVIEW_WEEK in the commitment chart's CSV, before the member decides anything. */
let confirmedBefore: number | undefined;
/** Seconds the member confirmed in REVIEW_WEEK: the accepted suggestion's and the edited one's new time. */
const confirmedByMember: number[] = [];

beforeAll(async () => {
  server = await startUiServer();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  // Either is unset when beforeAll failed; that failure is the one to report.
  await (browser as UiBrowser | undefined)?.close();
  await (server as UiServer | undefined)?.close();
});

afterEach(() => {
  // Emptied on each check, so one stray request fails only the test that made it.
  const offHost = browser.offHost.splice(0);
  expect(offHost, "requests to hosts other than 127.0.0.1").toEqual([]);
});

/** Returns the member's signed-in context and page, signing in on first use. */
async function asMember(): Promise<Signed> {
  member ??= await signIn(browser, server, server.member);
  return member;
}

async function asManager(): Promise<Signed> {
  manager ??= await signIn(browser, server, server.manager);
  return manager;
}

const POLL = { timeout: UI_TIMEOUT };

/** Opens the member's week page for one week and waits for the grid. */
async function openWeek(page: Page, week: string): Promise<void> {
  await page.goto(`${server.baseUrl}/week?week=${week}`);
  await weekGrid(page).waitFor();
}

/** Pending suggestions with an issue and the most evidence first, so the drawer has a list to show. */
function byEvidence(suggestions: Suggestion[]): Suggestion[] {
  return suggestions.filter((s) => s.status === "pending" && s.issueKey !== null).sort((a, b) => b.evidence.length - a.evidence.length || a.id.localeCompare(b.id));
}

/** Downloads the commitment chart's CSV with its "Download CSV" button and returns the confirmed hours of one week. */
async function confirmedHoursInCsv(page: Page, week: string): Promise<number> {
  const chart = page.getByTestId("chart-commitment");
  const [download] = await Promise.all([page.waitForEvent("download"), chart.getByRole("button", { name: "Download CSV" }).click()]);
  const path = await download.path();
  const rows = parseCsv(await readFile(path, "utf8"));
  return confirmedOf(rows, week);
}

/** Returns confirmed_hours of the week that starts on `weekStart` from the commitment CSV (one row per ISO week). */
function confirmedOf(rows: Record<string, string>[], weekStart: string): number {
  const row = rows.find((r) => r["from"] === weekStart);
  const hours = row?.["confirmed_hours"];
  if (hours === undefined || hours === "") throw new Error(`no confirmed_hours for the week of ${weekStart} in the commitment CSV: ${JSON.stringify(rows)}`);
  return Number(hours);
}

describe("worklens web UI in Chromium", () => {
  it("sign-in: wrong password, then My week", async () => {
    const { context, page } = await openSignIn(browser, server);
    await fillSignIn(page, server.member.login, `${PASSWORD} typo`);
    await expect.poll(() => page.getByRole("alert").textContent(), POLL).toContain("wrong login or password");
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);

    await fillSignIn(page, server.member.login, PASSWORD);
    await page.getByRole("heading", { name: "My week" }).waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.getByRole("link", { name: "My week" }).count()).toBe(1);
    // A member sees neither the managers' nor the admin's pages in the top bar.
    for (const link of ["Approvals", "Team capacity", "Admin"]) expect(await page.getByRole("link", { name: link }).count(), link).toBe(0);
    member = { context, page, person: server.member };
  });

  it("week grid shows suggested hours", async () => {
    const { page, context } = await asMember();
    await openWeek(page, REVIEW_WEEK);
    const suggestions = await weekSuggestions(context, server, REVIEW_WEEK);
    expect(suggestions.length).toBeGreaterThan(3);
    for (const suggestion of suggestions) {
      const text = await cell(page, suggestion.issueKey, suggestion.day).textContent();
      expect(shownHours(text ?? ""), `${suggestion.id} shows its hours`).toBeCloseTo(suggestion.seconds / 3600, 1);
    }
    expect(await weekGrid(page).locator('[data-testid^="cell-"]').count()).toBe(suggestions.length);
    expect(await page.getByTestId("week-status").textContent()).toMatch(/open/i);
  });

  it("week buttons change the week", async () => {
    const { page, context } = await asMember();
    await openWeek(page, REVIEW_WEEK);
    await page.getByRole("button", { name: "Previous week" }).click();
    await page.waitForURL((url) => url.searchParams.get("week") === WEEK_STARTS[0]);
    const earlier = await weekSuggestions(context, server, WEEK_STARTS[0]);
    const [first] = earlier;
    if (first === undefined) throw new Error(`the seeded week ${WEEK_STARTS[0]} has no suggestions`);
    await cell(page, first.issueKey, first.day).waitFor();
    expect(await weekGrid(page).locator('[data-testid^="cell-"]').count()).toBe(earlier.length);

    await page.getByRole("button", { name: "Next week" }).click();
    await page.waitForURL((url) => url.searchParams.get("week") === REVIEW_WEEK);
    const [later] = await weekSuggestions(context, server, REVIEW_WEEK);
    if (later === undefined) throw new Error(`the seeded week ${REVIEW_WEEK} has no suggestions`);
    await cell(page, later.issueKey, later.day).waitFor();
    expect(await cell(page, first.issueKey, first.day).count()).toBe(0);
  });

  it("evidence drawer lists timed items", async () => {
    const { page, context } = await asMember();
    const [suggestion] = byEvidence(await weekSuggestions(context, server, REVIEW_WEEK));
    if (suggestion === undefined) throw new Error("the seeded week has no pending suggestion with an issue");
    await cell(page, suggestion.issueKey, suggestion.day).click();
    const drawer = evidenceDrawer(page);
    await drawer.waitFor();

    // Each item shows the time of day of its instant in the member's own zone.
    const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: server.member.tz ?? "UTC" });
    const expected = suggestion.evidence.map((item) => (item.at === undefined || item.at === null ? "—" : clock.format(new Date(item.at)))).sort();
    const shownTimes = (await drawer.getByRole("listitem").allTextContents()).map((text) => /\d{2}:\d{2}|—/.exec(text)?.[0] ?? `no time in "${text}"`).sort();
    expect(shownTimes).toEqual(expected);
    expect(shownTimes.filter((time) => time !== "—").length).toBeGreaterThan(0);

    await drawer.getByRole("button", { name: "Close" }).click();
    await drawer.waitFor({ state: "detached" });
  });

  it("manager sees every team chart", async () => {
    manager = await signIn(browser, server, server.manager);
    const { page } = await asManager();
    await page.goto(`${server.baseUrl}/team?team=${String(server.bigTeamId)}&from=${RANGE.from}&to=${RANGE.to}`);
    for (const id of ["chart-project", "chart-epic", "chart-issue-type", "chart-cost-category", "chart-work-kind", "chart-commitment", "chart-linked"]) {
      await page.getByTestId(id).waitFor();
      expect(await page.getByTestId(id).getByRole("button", { name: "Download CSV" }).count(), id).toBe(1);
    }
    confirmedBefore = await confirmedHoursInCsv(page, REVIEW_WEEK);
  });

  it("accept changes the status", async () => {
    const { page, context } = await asMember();
    await openWeek(page, REVIEW_WEEK);
    const [suggestion] = byEvidence(await weekSuggestions(context, server, REVIEW_WEEK));
    if (suggestion === undefined) throw new Error("no pending suggestion left to accept");
    await cell(page, suggestion.issueKey, suggestion.day).click();
    await evidenceDrawer(page).getByRole("button", { name: "Accept" }).click();

    await expect.poll(async () => (await weekSuggestions(context, server, REVIEW_WEEK)).find((s) => s.id === suggestion.id)?.status, POLL).toBe("accepted");
    await expect.poll(() => cell(page, suggestion.issueKey, suggestion.day).textContent(), POLL).toMatch(/accepted/i);
    confirmedByMember.push(suggestion.seconds);
  });

  it("edit shows the new hours", async () => {
    const { page, context } = await asMember();
    await openWeek(page, REVIEW_WEEK);
    const [suggestion] = byEvidence(await weekSuggestions(context, server, REVIEW_WEEK));
    if (suggestion === undefined) throw new Error("no pending suggestion left to edit");
    // A quarter hour more than suggested, so the cell can only show it if the edit was saved.
    const hours = Math.round((suggestion.seconds / 3600 + 0.25) * 4) / 4;
    await cell(page, suggestion.issueKey, suggestion.day).click();
    const drawer = evidenceDrawer(page);
    await drawer.getByRole("button", { name: "Edit" }).click();
    await drawer.getByLabel("Hours").fill(String(hours));
    await drawer.getByRole("button", { name: "Save" }).click();

    await expect.poll(async () => shownHours((await cell(page, suggestion.issueKey, suggestion.day).textContent()) ?? ""), POLL).toBeCloseTo(hours, 2);
    const saved = (await weekSuggestions(context, server, REVIEW_WEEK)).find((s) => s.id === suggestion.id);
    expect(saved?.status).toBe("edited");
    expect(saved?.worklog?.seconds).toBe(hours * 3600);
    confirmedByMember.push(hours * 3600);
  });

  it("team chart follows accept and edit", async () => {
    expect(confirmedByMember).toHaveLength(2);
    if (confirmedBefore === undefined) throw new Error("\"manager sees every team chart\" did not record the confirmed hours before the member's decisions");
    const { page } = await asManager();
    await page.reload();
    await page.getByTestId("chart-commitment").waitFor();
    const after = await confirmedHoursInCsv(page, REVIEW_WEEK);
    const added = confirmedByMember.reduce((sum, seconds) => sum + seconds, 0) / 3600;
    // Both CSV values are rounded to 2 decimals.
    expect(Math.abs(after - confirmedBefore - added), `confirmed hours went from ${String(confirmedBefore)} to ${String(after)}; the member confirmed ${added.toFixed(2)}`).toBeLessThanOrEqual(0.01);
  });

  it("small team shows no chart", async () => {
    const { page } = await asManager();
    await page.goto(`${server.baseUrl}/team?team=${String(server.smallTeamId)}&from=${RANGE.from}&to=${RANGE.to}`);
    await expect.poll(() => page.getByRole("alert").textContent(), POLL).toContain("minimum group size");
    expect(await page.locator('[data-testid^="chart-"]').count()).toBe(0);
  });

  it("arrow keys move focus, Enter opens", async () => {
    const { page, context } = await asMember();
    await openWeek(page, REVIEW_WEEK);
    const suggestions = await weekSuggestions(context, server, REVIEW_WEEK);
    const testId = (s: Suggestion) => `cell-${s.issueKey ?? "unlinked"}-${s.day}`;
    // The grid's rows are the issue keys in natural order, then unlinked time; arrows skip empty cells.
    const rowOrder = (s: Suggestion) => (s.issueKey === null ? "\uffff" : s.issueKey);
    const compareRows = (a: Suggestion, b: Suggestion) => rowOrder(a).localeCompare(rowOrder(b), "en", { numeric: true });
    const rightOf = (from: Suggestion) => suggestions.filter((s) => s.issueKey === from.issueKey && s.day > from.day).sort((a, b) => a.day.localeCompare(b.day))[0];
    const below = (from: Suggestion) => suggestions.filter((s) => s.day === from.day && compareRows(s, from) > 0).sort(compareRows)[0];
    const start = suggestions.find((s) => rightOf(s) !== undefined && below(s) !== undefined);
    const right = start === undefined ? undefined : rightOf(start);
    const down = start === undefined ? undefined : below(start);
    if (start === undefined || right === undefined || down === undefined) throw new Error("the seeded week has no cell with cells to its right and below");
    const focused = () => page.locator(":focus").getAttribute("data-testid");

    await cell(page, start.issueKey, start.day).focus();
    await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe(testId(right));
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).toBe(testId(start));
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe(testId(down));
    await page.keyboard.press("ArrowUp");
    expect(await focused()).toBe(testId(start));

    await page.keyboard.press("Enter");
    const drawer = evidenceDrawer(page);
    await drawer.waitFor();
    expect(await drawer.getByRole("heading", { level: 2 }).textContent()).toContain(start.issueKey ?? "Unlinked");
    await drawer.getByRole("button", { name: "Close" }).click();
  });

  it("POST without CSRF token gets 403", async () => {
    const { page, context } = await asMember();
    const [suggestion] = byEvidence(await weekSuggestions(context, server, REVIEW_WEEK));
    if (suggestion === undefined) throw new Error("no pending suggestion left");
    const url = `${API}/suggestions/${encodeURIComponent(suggestion.id)}/accept`;
    const answer = await page.evaluate(async (target) => {
      const response = await fetch(target, { method: "POST", credentials: "same-origin" });
      return { status: response.status, body: await response.text() };
    }, url);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("missing or wrong CSRF token");
    const after = (await weekSuggestions(context, server, REVIEW_WEEK)).find((s) => s.id === suggestion.id);
    expect(after?.status).toBe("pending");
  });

  it("approved week locks decisions", async () => {
    const { page, context } = await asMember();
    await submitWeek(await asMember(), server, SUBMIT_WEEK);
    expect((await weekSuggestions(context, server, SUBMIT_WEEK)).filter((s) => s.status === "pending")).toEqual([]);

    const boss = (await asManager()).page;
    await boss.goto(`${server.baseUrl}/approvals`);
    const row = boss.getByRole("row").filter({ hasText: server.member.name }).filter({ has: boss.getByRole("button", { name: "Approve" }) });
    await row.waitFor();
    await row.getByLabel("Comment").fill("thanks, all clear");
    await row.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => boss.getByRole("row").filter({ hasText: server.member.name }).first().textContent(), POLL).toMatch(/approved/);

    await openWeek(page, SUBMIT_WEEK);
    await expect.poll(() => page.getByTestId("week-status").textContent(), POLL).toMatch(/approved/i);
    const [decided] = (await weekSuggestions(context, server, SUBMIT_WEEK)).filter((s) => s.status === "accepted");
    if (decided === undefined) throw new Error("no accepted suggestion in the approved week");
    await cell(page, decided.issueKey, decided.day).click();
    const drawer = evidenceDrawer(page);
    for (const name of ["Accept", "Edit", "Reject", "Move time"]) {
      expect(await drawer.getByRole("button", { name, exact: true }).isDisabled(), name).toBe(true);
    }
    const review = await apiGet<{ status: string; locked: boolean }>(context, server, `/weeks/${SUBMIT_WEEK}`);
    expect(review).toMatchObject({ status: "approved", locked: true });
  });

  it("sign-out ends the session", async () => {
    const { page, context } = await asMember();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Login", { exact: true }).waitFor();
    await page.reload();
    await page.getByLabel("Login", { exact: true }).waitFor();
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    const response = await context.request.get(`${server.baseUrl}${API}/session`);
    expect(response.status()).toBe(401);
    member = undefined;
  });
});
