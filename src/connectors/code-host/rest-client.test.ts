import { afterEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { adaptGithubRateLimit } from "./rate-limit.js";
import { nextLink, readPages, RestClient } from "./rest-client.js";
import { startJsonServer, type JsonServer, type Reply } from "./test-support/json-server.js";

describe("nextLink", () => {
  it("finds rel next among several links", () => {
    const header = '<https://api.github.com/repositories/1/commits?page=3>; rel="next", <https://api.github.com/repositories/1/commits?page=9>; rel="last"';
    expect(nextLink(header)).toBe("https://api.github.com/repositories/1/commits?page=3");
  });

  it("reads an unquoted rel with several values", () => {
    expect(nextLink("<https://gitlab.example.com/api/v4/x?page=2>; rel=next")).toBe("https://gitlab.example.com/api/v4/x?page=2");
    expect(nextLink('<https://a.example/x?page=2>; rel="prefetch next"')).toBe("https://a.example/x?page=2");
  });

  it("returns undefined without a next link", () => {
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('<https://api.github.com/x?page=1>; rel="first"')).toBeUndefined();
  });
});

describe("RestClient", () => {
  let server: JsonServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(route: (path: string, page: string | null, origin: string) => Reply): Promise<RestClient> {
    server = await startJsonServer((request, origin) => route(request.path, request.query.get("page"), origin));
    return new RestClient({ baseUrl: `${server.url}/api`, authorization: "Bearer secret", sleep: () => Promise.resolve() });
  }

  const byLink = (client: RestClient) => (response: { headers: Headers }, current: { path: string }) => {
    const link = nextLink(response.headers.get("link"));
    return link === undefined ? undefined : { path: client.relativePath(link, current.path) };
  };

  async function failure(promise: Promise<unknown>): Promise<WorklensError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorklensError) return error;
      throw error;
    }
    throw new Error("expected a failure");
  }

  async function readAll(client: RestClient): Promise<unknown[]> {
    const bodies: unknown[] = [];
    for await (const page of readPages(client, { path: "items" }, byLink(client))) bodies.push(page.body);
    return bodies;
  }

  it("returns the headers of each call", async () => {
    const client = await serve(() => ({ status: 200, body: [1], headers: { "x-next-page": "2" } }));

    const response = await client.get("items");

    expect(response.body).toEqual([1]);
    expect(response.headers.get("x-next-page")).toBe("2");
  });

  it("rejects a next link to another host", async () => {
    const client = await serve(() => ({ status: 200, body: [], headers: { link: '<https://elsewhere.example/api/items?page=2>; rel="next"' } }));

    const error = await failure(readAll(client));

    expect(error.message).toContain("points outside");
    expect(server?.requests).toHaveLength(1);
  });

  it("rejects a next link that repeats a page", async () => {
    const client = await serve((_path, _page, origin) => ({ status: 200, body: [], headers: { link: `<${origin}/api/items?page=2>; rel="next"` } }));

    const error = await failure(readAll(client));

    expect(error.message).toBe("GET /api/items returned a next-page link to a page already read (page 3)");
    expect(server?.requests).toHaveLength(2);
  });
});

describe("adaptGithubRateLimit", () => {
  const now = Date.UTC(2025, 2, 10, 12);

  it("turns a 403 with retry-after into a 429", async () => {
    const adapted = await adaptGithubRateLimit(new Response("{}", { status: 403, headers: { "retry-after": "7" } }), now);
    expect(adapted.status).toBe(429);
    expect(adapted.headers.get("retry-after")).toBe("7");
  });

  it("waits until the reset second has passed", async () => {
    const headers = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1_000 + 30) };
    const adapted = await adaptGithubRateLimit(new Response("{}", { status: 403, headers }), now);
    expect(adapted.headers.get("retry-after")).toBe("31");
  });

  it("waits a minute on a rate limit message alone", async () => {
    const adapted = await adaptGithubRateLimit(new Response('{"message":"You have exceeded a secondary rate limit."}', { status: 403 }), now);
    expect(adapted.status).toBe(429);
    expect(adapted.headers.get("retry-after")).toBe("60");
  });

  it("keeps a permission 403 and its body", async () => {
    const adapted = await adaptGithubRateLimit(new Response('{"message":"Must have admin rights"}', { status: 403 }), now);
    expect(adapted.status).toBe(403);
    expect(await adapted.text()).toBe('{"message":"Must have admin rights"}');
  });

  it("passes other statuses unchanged", async () => {
    const response = new Response("{}", { status: 404 });
    expect(await adaptGithubRateLimit(response, now)).toBe(response);
  });
});
