import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient } from "../http/client.js";
import { searchPages } from "./search.js";

interface PaginationCase {
  page_1_response: unknown;
  page_2_response: unknown;
}

const CASE = JSON.parse(readFileSync(new URL("../../../../shared/cases/field/21-jira-search-jql-pagination.json", import.meta.url), "utf8")) as PaginationCase & {
  page_1_response: { nextPageToken: string };
};

describe("searchPages on Cloud", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => {
        resolve();
      });
    });
  });

  it("follows nextPageToken and ignores startAt", async () => {
    const bodies: Record<string, unknown>[] = [];
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        bodies.push(body);
        // Like the real endpoint, it returns the first page to any request without a token.
        res.end(JSON.stringify(body["nextPageToken"] === CASE.page_1_response.nextPageToken ? CASE.page_2_response : CASE.page_1_response));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const client = new HttpClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorization: "Basic x" });

    const keys: string[] = [];
    for await (const page of searchPages(client, "cloud", "project = PROJ ORDER BY updated ASC")) {
      for (const issue of page.issues) keys.push((issue as { key: string }).key);
    }

    expect(keys).toEqual(["PROJ-1", "PROJ-2", "PROJ-3"]);
    expect(bodies.map((b) => b["nextPageToken"])).toEqual([undefined, "CAEaAggB"]);
    expect(bodies.every((b) => !("startAt" in b) && Array.isArray(b["fields"]))).toBe(true);
  });
});
