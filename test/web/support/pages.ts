import type { BrowserContext, Locator, Page } from "playwright-core";
import { PASSWORD, type SeededPerson, type UiBrowser, type UiServer } from "./ui-server.js";

export const API = "/api/worklens/v1";

/** Maximum wait in milliseconds for an element or a poll. Pages react within a second on a developer machine, so the rest is margin for slow CI machines. */
export const UI_TIMEOUT = 15_000;

export interface Suggestion {
  id: string;
  personId: number;
  day: string;
  issueKey: string | null;
  seconds: number;
  confidence: number;
  evidence: { kind: string; at?: string | null }[];
  status: "pending" | "accepted" | "edited" | "rejected";
  worklog: { seconds: number } | null;
}

/** A signed-in user: their own browser context, which keeps the session cookie, and one page. */
export interface Signed {
  context: BrowserContext;
  page: Page;
  person: SeededPerson;
}

/** Opens a fresh context and page at the server's root, which shows the sign-in page. */
export async function openSignIn(browser: UiBrowser, server: UiServer): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/`);
  return { context, page };
}

export async function fillSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel("Login", { exact: true }).fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs a person in through the sign-in page and waits for the top bar. */
export async function signIn(browser: UiBrowser, server: UiServer, person: SeededPerson): Promise<Signed> {
  const { context, page } = await openSignIn(browser, server);
  await fillSignIn(page, person.login, PASSWORD);
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
  return { context, page, person };
}

/** Returns the cell of one issue (or unlinked time) and day in the week grid. */
export function cell(page: Page, issueKey: string | null, day: string): Locator {
  return page.getByTestId(`cell-${issueKey ?? "unlinked"}-${day}`);
}

export function weekGrid(page: Page): Locator {
  return page.locator('table[aria-label="Week grid"]');
}

export function evidenceDrawer(page: Page): Locator {
  return page.getByRole("dialog", { name: "Evidence" });
}

/** Reads hours shown like "2.5h" (with or without a space) from a cell's text. */
export function shownHours(text: string): number {
  const match = /(\d+(?:[.,]\d+)?)\s*h/.exec(text);
  if (match?.[1] === undefined) throw new Error(`no hours like "2.5h" in the cell text "${text}"`);
  return Number(match[1].replace(",", "."));
}

/** Sends a GET to the API with the context's session cookie, as the signed-in person, and returns `data`. */
export async function apiGet<T>(context: BrowserContext, server: UiServer, path: string): Promise<T> {
  const response = await context.request.get(`${server.baseUrl}${API}${path}`);
  if (!response.ok()) throw new Error(`GET ${path} returned ${String(response.status())}: ${await response.text()}`);
  return ((await response.json()) as { data: T }).data;
}

/** Fetches the signed-in person's own suggestions of an ISO week (Monday to Sunday) from the API. */
export async function weekSuggestions(context: BrowserContext, server: UiServer, weekStart: string): Promise<Suggestion[]> {
  return apiGet<Suggestion[]>(context, server, `/suggestions?from=${weekStart}&to=${addDays(weekStart, 6)}`);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Parses CSV with quoted fields, as the capacity export writes it (RFC 4180). Written here
 * because the project installs only csv-stringify, no CSV parser.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows;
  if (header === undefined) throw new Error("the CSV is empty: no header row");
  return body.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ""])));
}

/**
 * Submits a week through the UI as its person does: "Accept week", then reject what bulk
 * accept leaves pending (unlinked and very short time), then "Submit week".
 */
export async function submitWeek(signed: Signed, server: UiServer, week: string): Promise<void> {
  const { page, context } = signed;
  await page.goto(`${server.baseUrl}/week?week=${week}`);
  await weekGrid(page).waitFor();
  await page.getByRole("button", { name: "Accept week" }).click();
  await waitFor(async () => (await weekSuggestions(context, server, week)).some((s) => s.status === "accepted"), "Accept week accepted nothing");
  for (const left of (await weekSuggestions(context, server, week)).filter((s) => s.status === "pending")) {
    await cell(page, left.issueKey, left.day).click();
    await evidenceDrawer(page).getByRole("button", { name: "Reject" }).click();
    await waitFor(async () => (await weekSuggestions(context, server, week)).find((s) => s.id === left.id)?.status === "rejected", `rejecting ${left.id} did not stick`);
    const close = evidenceDrawer(page).getByRole("button", { name: "Close" });
    if (await close.isVisible()) await close.click();
  }
  await page.getByRole("button", { name: "Submit week" }).click();
  await waitFor(async () => /submitted/i.test((await page.getByTestId("week-status").textContent()) ?? ""), "the week status did not change to submitted");
}

/** Polls `check` every 100 ms until it is true, or throws `message` after UI_TIMEOUT. */
export async function waitFor(check: () => Promise<boolean>, message: string): Promise<void> {
  const end = Date.now() + UI_TIMEOUT;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((done) => setTimeout(done, 100));
  }
}
