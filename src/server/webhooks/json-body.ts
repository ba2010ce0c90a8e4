/** Outcome of decoding a webhook body; the reason never quotes the body. */
export type DecodedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Decodes a raw webhook body as UTF-8 JSON. Verify the signature on the same bytes
 * first. A form-encoded body (GitHub's `application/x-www-form-urlencoded` option) is
 * rejected with a hint, because worklens expects the JSON content type.
 */
export function decodeJsonBody(rawBody: Buffer): DecodedBody {
  const text = rawBody.toString("utf8");
  if (text.trim() === "") return { ok: false, reason: "the body is empty: the sender must post the event as JSON" };
  if (text.startsWith("payload=")) {
    return { ok: false, reason: "the body is form-encoded: set the webhook's content type to application/json" };
  }

  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // V8's SyntaxError message quotes part of the input, which may be personal text, so it is left out.
    return { ok: false, reason: "the body is not valid JSON: the sender must post the event as JSON" };
  }
}
