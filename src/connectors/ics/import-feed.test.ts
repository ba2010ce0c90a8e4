import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PERSON, calendar, vevent } from "../../ingest/ics/test-support/calendar.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importIcsFeed } from "./import-feed.js";

const WINDOW = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1) };
const WEEK = calendar([
  vevent("UID:sync", "DTSTART;TZID=Europe/Berlin:20250303T100000", "DTEND;TZID=Europe/Berlin:20250303T103000", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Sync on PROJ-7"),
]);

describe.each(BACKENDS)("importIcsFeed on %s", (backend) => {
  let handle: TestStore;
  let server: Server;
  let base: string;
  let etag: string;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    etag = '"a"';
    server = createServer((request, response) => {
      if (request.headers["if-none-match"] === etag) {
        response.writeHead(304).end();
        return;
      }
      response.writeHead(200, { etag }).end(WEEK);
    });
    await new Promise<void>((resolve) => {
      server.listen(0, "127.0.0.1", resolve);
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    await handle.dispose();
  });

  it("imports, skips 304, adds nothing twice", async () => {
    const options = { person: PERSON, ...WINDOW, allowLoopbackForTests: true };

    const first = await importIcsFeed(handle.store, `${base}/token/cal.ics`, options);
    expect(first.status).toBe("imported");
    if (first.status !== "imported") return;
    expect(first.report.imported).toBe(3);
    expect(first.report.file).not.toContain("token");
    expect(first.etag).toBe('"a"');

    const unchanged = await importIcsFeed(handle.store, `${base}/token/cal.ics`, { ...options, etag: first.etag });
    expect(unchanged).toEqual({ status: "not-modified" });

    etag = '"b"';
    const again = await importIcsFeed(handle.store, `${base}/token/cal.ics`, { ...options, etag: first.etag });
    expect(again.status).toBe("imported");
    if (again.status !== "imported") return;
    expect(again.report.imported).toBe(0);
    expect(again.report.duplicate).toBe(3);
  });
});
