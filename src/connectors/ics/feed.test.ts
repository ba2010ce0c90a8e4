import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { LookupAll } from "../net-guard/index.js";
import { fetchIcsFeed } from "./feed.js";

const CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//worklens test//EN\r\nEND:VCALENDAR\r\n";
const ETAG = '"v1"';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server | undefined;

/** Starts a server on 127.0.0.1, port 0, and returns its base URL. */
async function serve(handler: Handler): Promise<string> {
  const started = createServer(handler);
  server = started;
  await new Promise<void>((resolve) => {
    started.listen(0, "127.0.0.1", resolve);
  });
  const { port } = started.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise<void>((resolve) => running.close(() => { resolve(); }));
});

const fetchNever: typeof fetch = () => Promise.reject(new Error("the guard must reject before any request"));
const lookup: LookupAll = (hostname) =>
  hostname === "internal.example" ? Promise.resolve([{ address: "10.0.0.5", family: 4 }]) : Promise.reject(new Error(`ENOTFOUND ${hostname}`));

describe("fetchIcsFeed", () => {
  it("fetches with ETag, then gets 304", async () => {
    const seen: (string | undefined)[] = [];
    const base = await serve((request, response) => {
      seen.push(request.headers["if-none-match"]);
      if (request.headers["if-none-match"] === ETAG) {
        response.writeHead(304).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/calendar", etag: ETAG, "last-modified": "Fri, 04 Dec 2026 10:00:00 GMT" }).end(CALENDAR);
    });

    const first = await fetchIcsFeed(`${base}/private/secret-token/basic.ics`, { allowLoopbackForTests: true });
    expect(first.status).toBe("fetched");
    if (first.status !== "fetched") return;
    expect(Buffer.from(first.bytes).toString("utf8")).toBe(CALENDAR);
    expect(first.etag).toBe(ETAG);
    expect(first.lastModified).toBe("Fri, 04 Dec 2026 10:00:00 GMT");

    const second = await fetchIcsFeed(`${base}/private/secret-token/basic.ics`, {
      allowLoopbackForTests: true,
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(second).toEqual({ status: "not-modified" });
    expect(seen).toEqual([undefined, ETAG]);
  });

  it("sends If-Modified-Since", async () => {
    let received: string | undefined;
    const base = await serve((request, response) => {
      received = request.headers["if-modified-since"];
      response.writeHead(304).end();
    });

    const result = await fetchIcsFeed(`${base}/cal.ics`, { allowLoopbackForTests: true, lastModified: "Fri, 04 Dec 2026 10:00:00 GMT" });
    expect(result).toEqual({ status: "not-modified" });
    expect(received).toBe("Fri, 04 Dec 2026 10:00:00 GMT");
  });

  it("follows a redirect on an allowed host", async () => {
    const base = await serve((request, response) => {
      if (request.url === "/old.ics") {
        response.writeHead(302, { location: "/new.ics" }).end();
        return;
      }
      response.writeHead(200).end(CALENDAR);
    });

    const result = await fetchIcsFeed(`${base}/old.ics`, { allowLoopbackForTests: true });
    expect(result.status).toBe("fetched");
  });

  it("rejects a redirect to a forbidden host", async () => {
    const base = await serve((_request, response) => {
      response.writeHead(302, { location: "http://internal.example/cal.ics" }).end();
    });

    await expect(fetchIcsFeed(`${base}/cal.ics`, { allowLoopbackForTests: true, lookup })).rejects.toThrow(
      "blocked request to internal.example: address 10.0.0.5 is forbidden (private network)",
    );
  });

  it("rejects too many redirects", async () => {
    const base = await serve((_request, response) => {
      response.writeHead(301, { location: "/again.ics" }).end();
    });

    await expect(fetchIcsFeed(`${base}/cal.ics`, { allowLoopbackForTests: true, maxRedirects: 2 })).rejects.toThrow("redirected more than 2 times");
  });

  it("rejects a body over the size limit", async () => {
    const base = await serve((request, response) => {
      if (request.url === "/declared.ics") {
        response.writeHead(200, { "content-length": "5000" }).end("x".repeat(5000));
        return;
      }
      response.writeHead(200);
      response.write("x".repeat(600));
      response.end("x".repeat(600));
    });

    await expect(fetchIcsFeed(`${base}/declared.ics`, { allowLoopbackForTests: true, maxBytes: 1000 })).rejects.toThrow(
      "is larger than the limit of 1000 bytes",
    );
    await expect(fetchIcsFeed(`${base}/chunked.ics`, { allowLoopbackForTests: true, maxBytes: 1000 })).rejects.toThrow(
      "is larger than the limit of 1000 bytes",
    );
  });

  it("times out on a slow server", async () => {
    const base = await serve((_request, response) => {
      setTimeout(() => response.writeHead(200).end(CALENDAR), 2_000).unref();
    });

    await expect(fetchIcsFeed(`${base}/cal.ics`, { allowLoopbackForTests: true, timeoutMs: 200 })).rejects.toThrow("timed out after 200 ms");
  });

  it("reports an HTTP error without the URL path", async () => {
    const base = await serve((_request, response) => {
      response.writeHead(404).end();
    });

    const failure = fetchIcsFeed(`${base}/private/secret-token/basic.ics`, { allowLoopbackForTests: true });
    await expect(failure).rejects.toThrow("returned HTTP 404");
    await expect(failure).rejects.not.toThrow("secret-token");
  });

  it("rejects http without the test flag", async () => {
    await expect(fetchIcsFeed("http://calendar.example/cal.ics", { fetchImpl: fetchNever, lookup })).rejects.toThrow(
      "uses http, but only https is supported",
    );
    await expect(fetchIcsFeed("webcal://calendar.example/cal.ics", { fetchImpl: fetchNever, lookup })).rejects.toThrow(
      "uses webcal, but only https is supported",
    );
  });

  it("rejects forbidden hosts before any request", async () => {
    for (const url of [
      "https://169.254.169.254/latest/meta-data",
      "https://[fd00:ec2::254]/",
      "https://[::ffff:127.0.0.1]/",
      "https://2130706433/",
      "https://0x7f.1/",
      "https://internal.example/cal.ics",
    ]) {
      await expect(fetchIcsFeed(url, { fetchImpl: fetchNever, lookup }), url).rejects.toThrow("blocked request to");
    }
  });

  it("keeps private ranges closed under the test flag", async () => {
    await expect(fetchIcsFeed("http://10.0.0.1/cal.ics", { fetchImpl: fetchNever, allowLoopbackForTests: true })).rejects.toThrow(
      "private network",
    );
  });

  it("rejects invalid URLs and credentials", async () => {
    await expect(fetchIcsFeed("not a url", { fetchImpl: fetchNever })).rejects.toThrow("is not a valid URL");
    await expect(fetchIcsFeed("https://user:pass@calendar.example/cal.ics", { fetchImpl: fetchNever, lookup })).rejects.toThrow(
      "has a user name or password",
    );
  });
});
