import { AsyncLocalStorage } from "node:async_hooks";
import { WorklensError } from "../../domain/errors.js";
import { HttpClient, type HttpClientOptions } from "../http/client.js";

/** A parsed JSON body with the response headers, which carry the paging links. */
export interface RestResponse {
  body: unknown;
  headers: Headers;
}

export type RestClientOptions = Omit<HttpClientOptions, "fetch"> & {
  /** Headers set on every request, replacing the client's own (such as Accept). */
  headers?: Readonly<Record<string, string>>;
  /** Sends no Authorization header, for services whose token travels in another header. */
  omitAuthorization?: boolean;
  /** Rewrites a response before the retry loop reads its status, such as a rate-limit 403 into a 429. */
  adaptResponse?: (response: Response, now: number) => Promise<Response>;
  fetch?: typeof fetch;
};

/**
 * A JSON client for GitHub and GitLab REST APIs: HttpClient's retries and error messages,
 * plus the response headers, which HttpClient does not return. A fetch wrapper copies the
 * headers of the final attempt into a slot bound to the call with AsyncLocalStorage, so
 * concurrent calls on one client cannot read each other's headers.
 */
export class RestClient {
  private readonly http: HttpClient;
  private readonly slots = new AsyncLocalStorage<{ headers: Headers | undefined }>();
  readonly base: URL;

  constructor(options: RestClientOptions) {
    const { headers: extra = {}, omitAuthorization = false, adaptResponse, fetch: inner = globalThis.fetch, ...http } = options;
    const now = http.now ?? Date.now;
    this.base = new URL(http.baseUrl.endsWith("/") ? http.baseUrl : `${http.baseUrl}/`);

    const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
      const headers = new Headers(init?.headers);
      if (omitAuthorization) headers.delete("Authorization");
      for (const [name, value] of Object.entries(extra)) headers.set(name, value);
      const raw = await inner(input, { ...init, headers });
      const response = adaptResponse === undefined ? raw : await adaptResponse(raw, now());
      const slot = this.slots.getStore();
      if (slot !== undefined) slot.headers = response.headers;
      return response;
    };
    this.http = new HttpClient({ ...http, fetch: wrapped });
  }

  /** Sends a GET to a path relative to the base URL and returns the JSON body with the headers. */
  async get(path: string, query?: Record<string, string | number>): Promise<RestResponse> {
    const slot: { headers: Headers | undefined } = { headers: undefined };
    const body = await this.slots.run(slot, () => this.http.requestJson("GET", path, query === undefined ? {} : { query }));
    return { body, headers: slot.headers ?? new Headers() };
  }

  /** Returns the URL path of a request path, base path included, as error messages name it. */
  pathname(path: string): string {
    return new URL(path.replace(/^\//, "").split("?")[0] ?? "", this.base).pathname;
  }

  /**
   * Returns a next-page URL as a path relative to the base URL. A URL outside the base
   * URL is rejected, because the token would be sent to it.
   */
  relativePath(url: string, from: string): string {
    let target: URL;
    try {
      target = new URL(url, this.base);
    } catch {
      throw new WorklensError("INVALID_INPUT", `the next-page link of GET ${this.pathname(from)} is not a URL`, "check that the URL points at the service's REST API");
    }
    if (!target.href.startsWith(this.base.href)) {
      throw new WorklensError(
        "INVALID_INPUT",
        `the next-page link of GET ${this.pathname(from)} points outside ${this.base.origin}${this.base.pathname}, so it is not followed`,
        "check the API URL: a proxy may rewrite links; pass the URL the links use",
      );
    }
    return target.href.slice(this.base.href.length);
  }
}

/** Returns the target of the `rel="next"` link in a Link header (RFC 8288), or undefined. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const match of header.matchAll(/<([^>]*)>([^,]*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2] ?? "")?.[1] ?? "";
    if (rel.toLowerCase().split(/\s+/).includes("next")) return match[1];
  }
  return undefined;
}

/** A request for one page: a path relative to the base URL and its query. */
export interface PageRequest {
  path: string;
  query?: Record<string, string | number>;
}

/** One page of a list and the request for the next one, if any. */
export interface FetchedPage {
  body: unknown;
  number: number;
  next: PageRequest | undefined;
}

/**
 * Reads a paged list from its first request until `nextOf` returns no next page. A next
 * page that repeats an earlier request stops the read with an error, so a server that
 * loops cannot hold the sync forever.
 */
export async function* readPages(client: RestClient, first: PageRequest, nextOf: (response: RestResponse, current: PageRequest) => PageRequest | undefined): AsyncGenerator<FetchedPage> {
  const seen = new Set<string>();
  let request: PageRequest | undefined = first;
  for (let number = 1; request !== undefined; number += 1) {
    const key = `${request.path}?${new URLSearchParams(Object.entries(request.query ?? {}).map(([name, value]): [string, string] => [name, String(value)])).toString()}`;
    if (seen.has(key)) {
      throw new WorklensError("INVALID_INPUT", `GET ${client.pathname(first.path)} returned a next-page link to a page already read (page ${number})`, "run the sync again; if it repeats, report the API's paging to the service's administrator");
    }
    seen.add(key);

    const response = await client.get(request.path, request.query);
    const next = nextOf(response, request);
    yield { body: response.body, number, next };
    request = next;
  }
}
