/**
 * List the secrets a request presents, in the forms WakaTime clients send them:
 *
 * - `Authorization: Basic base64(key)`: wakatime-cli encodes the bare key (pkg/api
 *   auth.go, BasicAuth with only Secret set). Other clients encode `key:` or
 *   `user:key`, so each side of a colon is tried too.
 * - `Authorization: Bearer key`, the plain key; a base64-encoded key is also tried.
 * - `?api_key=key`, which the WakaTime API and Wakapi accept for clients that cannot
 *   set headers (browser extensions).
 *
 * Returns the candidates in the order to try them; an Authorization header, when
 * present, wins over the query parameter.
 */
export function presentedSecrets(authorization: string | undefined, apiKeyParameter: unknown): string[] {
  if (authorization !== undefined && authorization.trim() !== "") return fromAuthorization(authorization.trim());
  if (typeof apiKeyParameter === "string" && apiKeyParameter.trim() !== "") return [apiKeyParameter.trim()];
  return [];
}

function fromAuthorization(header: string): string[] {
  const space = header.indexOf(" ");
  if (space < 0) return [];
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (value === "") return [];

  if (scheme === "basic") {
    const decoded = decodeBase64(value);
    return decoded === undefined ? [] : withColonParts(decoded);
  }
  if (scheme === "bearer") {
    const decoded = decodeBase64(value);
    return decoded === undefined || decoded === value ? [value] : [value, decoded];
  }
  return [];
}

function withColonParts(decoded: string): string[] {
  const colon = decoded.indexOf(":");
  if (colon < 0) return [decoded];
  const parts = [decoded.slice(colon + 1), decoded.slice(0, colon)].filter((part) => part !== "");
  return [...parts, decoded];
}

/** Strict base64 decoding to text; undefined when the value is not base64 of printable UTF-8. */
function decodeBase64(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(value, "base64"));
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex -- control characters mean the value was not an encoded key
  return /^[^\u0000-\u001f\u007f]+$/.test(text) ? text.trim() : undefined;
}
