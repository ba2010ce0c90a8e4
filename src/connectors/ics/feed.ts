import { WorklensError, invalidInput } from "../../domain/errors.js";
import type { LookupAll } from "../net-guard/index.js";
import { resolveAndCheck } from "../net-guard/index.js";

export interface FetchIcsFeedOptions {
  /** ETag from the previous fetch, sent as If-None-Match. */
  etag?: string | undefined;
  /** Last-Modified from the previous fetch, sent as If-Modified-Since. */
  lastModified?: string | undefined;
  fetchImpl?: typeof fetch | undefined;
  lookup?: LookupAll | undefined;
  /** Accept plain http and loopback addresses. Only tests against their own 127.0.0.1 server set this. */
  allowLoopbackForTests?: boolean | undefined;
  /** Maximum body size in bytes; 10 MiB by default. */
  maxBytes?: number | undefined;
  /** Time limit in milliseconds for the whole fetch, redirects and body included; 30 s by default. */
  timeoutMs?: number | undefined;
  /** Maximum redirects followed; 5 by default. */
  maxRedirects?: number | undefined;
}

export type IcsFeedResult =
  | { status: "not-modified" }
  | { status: "fetched"; bytes: Uint8Array; etag: string | undefined; lastModified: string | undefined };

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Names a feed in messages by its origin only, because private calendar URLs carry
 * their secret in the path or query.
 */
function feedLabel(url: URL): string {
  return `calendar feed ${url.protocol}//${url.host}`;
}

function parseFeedUrl(text: string | URL, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch (error) {
    throw invalidInput("calendar feed URL", "is not a valid URL", "Give the full feed address, starting with https://.", error);
  }
}

function assertAllowedScheme(url: URL, allowHttp: boolean): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && allowHttp) return;
  const hint =
    url.protocol === "http:" || url.protocol === "webcal:"
      ? "Use the https:// form of the feed address; plain http and webcal are rejected so the feed and its secret URL are never sent unencrypted."
      : "Give an https:// feed address.";
  throw invalidInput(feedLabel(url), `uses ${url.protocol.replace(/:$/, "")}, but only https is supported`, hint);
}

function conditionalHeaders(options: FetchIcsFeedOptions): Headers {
  const headers = new Headers({ accept: "text/calendar, */*;q=0.5" });
  if (options.etag !== undefined) headers.set("if-none-match", options.etag);
  if (options.lastModified !== undefined) headers.set("if-modified-since", options.lastModified);
  return headers;
}

async function readLimited(response: Response, url: URL, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    invalidInput(feedLabel(url), `is larger than the limit of ${maxBytes} bytes`, "Raise the feed size limit, or export a shorter date range.");

  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array(0);

  const chunks: Uint8Array[] = [];
  let total = 0;
  // The Fetch standard delivers body chunks as Uint8Array; @types/node 20 types them as any.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }

  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/**
 * Fetches an .ics feed over https with a conditional request. Every hop's host is
 * resolved and checked against the SSRF guard before the request, redirects are
 * followed by hand up to a limit, and the body is read up to a size limit. Throws a
 * WorklensError (INVALID_INPUT) naming only the feed's origin, never its path.
 */
export async function fetchIcsFeed(feedUrl: string | URL, options: FetchIcsFeedOptions = {}): Promise<IcsFeedResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const allowLoopback = options.allowLoopbackForTests ?? false;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const signal = AbortSignal.timeout(timeoutMs);

  let url = parseFeedUrl(feedUrl);
  for (let redirects = 0; ; redirects++) {
    assertAllowedScheme(url, allowLoopback);
    if (url.username !== "" || url.password !== "") {
      throw invalidInput(feedLabel(url), "has a user name or password in the URL", "Remove the credentials from the feed URL.");
    }

    // NOTE: fetch resolves the host again when it connects, so a DNS server that
    // answers with a public address here and an internal one a moment later
    // (DNS rebinding) gets past this check. Closing that needs a connection pinned
    // to the checked address, which global fetch does not offer.
    await resolveAndCheck(url.hostname, { lookup: options.lookup, allowLoopback });

    let response: Response;
    try {
      response = await fetchImpl(url, { headers: conditionalHeaders(options), redirect: "manual", signal });
    } catch (error) {
      if (isAbort(error)) {
        throw invalidInput(feedLabel(url), `timed out after ${timeoutMs} ms`, "Check that the feed server is reachable, or raise the timeout.", error);
      }
      throw invalidInput(feedLabel(url), "could not be fetched", "Check the feed address and the network connection.", error);
    }

    if (response.status === 304) {
      await response.body?.cancel();
      return { status: "not-modified" };
    }

    if (REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (location === null) {
        throw invalidInput(feedLabel(url), `returned redirect ${response.status} without a Location header`, "Check the feed address.");
      }
      if (redirects >= maxRedirects) {
        throw invalidInput(feedLabel(url), `redirected more than ${maxRedirects} times`, "Use the final feed address directly.");
      }
      url = parseFeedUrl(location, url);
      continue;
    }

    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel();
      throw invalidInput(
        feedLabel(url),
        `returned HTTP ${response.status}`,
        response.status === 401 || response.status === 403 || response.status === 404
          ? "Check that the feed URL is current; private calendar URLs stop working when they are reset."
          : "Try again later, or check the feed server.",
      );
    }

    let bytes: Uint8Array;
    try {
      bytes = await readLimited(response, url, maxBytes);
    } catch (error) {
      if (error instanceof WorklensError) throw error;
      if (isAbort(error)) {
        throw invalidInput(feedLabel(url), `timed out after ${timeoutMs} ms`, "Check that the feed server is reachable, or raise the timeout.", error);
      }
      throw invalidInput(feedLabel(url), "closed the connection before the whole body arrived", "Try again later.", error);
    }

    return {
      status: "fetched",
      bytes,
      etag: response.headers.get("etag") ?? undefined,
      lastModified: response.headers.get("last-modified") ?? undefined,
    };
  }
}
