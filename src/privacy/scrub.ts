import type { PersonRecord } from "../domain/types.js";

/**
 * Scrubbing of free text before any feature, token or embedding is computed from it.
 * Personal data and secrets become typed placeholders. Issue keys, identifiers,
 * file paths and ordinary words stay, because the linker matches on them.
 */

export const PLACEHOLDERS = {
  email: "[email]",
  phone: "[phone]",
  secret: "[secret]",
  person: "[person]",
} as const;

/** The tenant's people as a name matcher, built once per run by `createScrubContext`. */
export interface ScrubContext {
  /** Normalized single words that are a person's name or a distinctive part of one. */
  readonly nameWords: ReadonlySet<string>;
  /** Names of two or more parts by their first normalized part, matched as whole sequences. */
  readonly fullNames: ReadonlyMap<string, readonly (readonly string[])[]>;
  /**
   * Matches any word a name match can start with, case-insensitively. An ASCII text
   * it does not match contains no name, which spares the word-by-word scan for most texts.
   */
  readonly prefilter: RegExp | undefined;
  /** Parts of the longest name, at least 1. */
  readonly longestName: number;
}

/** A context without people: scrubbing by patterns only. */
export const PATTERNS_ONLY: ScrubContext = { nameWords: new Set(), fullNames: new Map(), prefilter: undefined, longestName: 1 };

/**
 * Frequent English words, and words frequent in engineering text, that are never
 * scrubbed as a single part of a longer name (a person named "Mark Long" must not
 * turn every "long" into a placeholder). A full name is still scrubbed as a whole.
 * NOTE: the list is hand-written and far from complete. A name part missing here that
 * is also an ordinary word in a tenant's texts is scrubbed wherever it appears.
 */
const COMMON_WORDS = new Set(
  (
    "the and for are but not you all any can had her was one our out day get has him his how man new now old see two way " +
    "who boy did its let put say she too use able also back bank bell best bird black blue body bond book born brown " +
    "bush call case cash chase child city clay close cole cook cool cross dale dawn day dean deep dell door down dray " +
    "drew early east english fair faith field fisher ford fort fox frank free french friend frost full gale game gay " +
    "glass gold good grace grant gray green grey guy hall hand happy hard hart hay heart hill holiday holly home honey " +
    "hope house hunt hunter ivy jack jade james jay joy judge june just keen kind king knight lake land lane law lee " +
    "light lily little long lord love low major march mark marsh mason may mayo mercy miles mill miller moon moore more " +
    "moss new news night noble north oak ocean page palm park parker pearl penny person phone pike pine pool porter " +
    "post power price prince rain ray read reed rich ridge river rock rose ross royal ruby sage sand scott sea shore " +
    "short silver sky small smart snow son spring star steel stone storm strong summer sun swift taylor temple thorn " +
    "tower town tree true turner vale victor violet wall ward warren water wave way west white wild will winter wolf " +
    "wood woods worth young email secret " +
    "able about above after again against also another apache application array back bean before being below between " +
    "both branch bug build cache change check class client code commit config content core crawl data date default " +
    "deploy design each error event every fetch fetcher field file filter first fixed from generator have header help " +
    "here http index indexer info into issue item java just last level like line link list local lock main make map " +
    "master merge method model module more most name node note null number only open option order other over parse " +
    "parser patch path plugin point port queue rank ranker read record release remove report request result review run " +
    "save schema score search segment server service session should site some source start state status store string " +
    "support system table task test text that their them then there these they thing this thread time title token " +
    "tool type under update user util value version very view what when where which while with without work worker " +
    "would write admin root dev test build noreply info support team bot jenkins"
  ).split(" "),
);

const WORD = /[\p{L}\p{M}]+/gu;
const ASCII_LETTERS = /^[a-z]+$/;

/** Lower case without accents, so "José", "JOSE" and "jose" compare equal. */
function normalizeWord(word: string): string {
  const lower = word.toLowerCase();
  return ASCII_LETTERS.test(lower) ? lower : lower.normalize("NFD").replace(/\p{M}/gu, "");
}

function nameParts(name: string): string[] {
  return [...name.matchAll(WORD)].map((m) => normalizeWord(m[0])).filter((part) => part !== "");
}

/**
 * Build the name matcher for a tenant's people from their display names, user names
 * and e-mail local parts. Every name of two or more parts matches as a whole, and
 * each of its parts of three or more letters that is not a common word matches
 * alone. A one-part name matches alone unless it is a common word or shorter than three letters.
 */
export function createScrubContext(names: Iterable<string>): ScrubContext {
  const nameWords = new Set<string>();
  const fullNames = new Map<string, string[][]>();
  const placeholderWords = new Set(Object.keys(PLACEHOLDERS));
  for (const name of names) {
    const parts = nameParts(name);
    if (parts.some((part) => placeholderWords.has(part))) continue;
    for (const part of parts) {
      if (part.length >= 3 && !COMMON_WORDS.has(part)) nameWords.add(part);
    }
    const [first] = parts;
    if (parts.length >= 2 && first !== undefined) {
      const list = fullNames.get(first) ?? [];
      if (!list.some((known) => known.join(" ") === parts.join(" "))) list.push(parts);
      fullNames.set(first, list);
    }
  }
  const starts = [...new Set([...nameWords, ...fullNames.keys()])];
  const asciiStarts = starts.length > 0 && starts.every((word) => /^[a-z]+$/.test(word));
  const prefilter = !asciiStarts ? undefined : new RegExp(`(?<![A-Za-z0-9])(?:${starts.join("|")})(?![A-Za-z0-9])`, "i");
  let longestName = 1;
  for (const list of fullNames.values()) for (const parts of list) longestName = Math.max(longestName, parts.length);
  return { nameWords, fullNames, prefilter, longestName };
}

/**
 * Collects the names a tenant's people go by: display names, user names of their identities,
 * and the local parts of their e-mail addresses ("jane.doe" of jane.doe@example.org).
 * Identifiers with digits, such as Jira account ids, are left out because they are
 * no one's name and the id would match nothing in prose.
 */
export function namesOfPeople(people: readonly Pick<PersonRecord, "displayName" | "email" | "identities">[]): string[] {
  const names = new Set<string>();
  const add = (value: string | null) => {
    if (value === null) return;
    const name = value.includes("@") ? value.slice(0, value.indexOf("@")) : value;
    if (name.trim() !== "" && !/\d/.test(name)) names.add(name);
  };
  for (const person of people) {
    add(person.displayName);
    add(person.email);
    for (const identity of person.identities) add(identity.externalId);
  }
  return [...names];
}

/** Private key blocks in PEM form, including one whose END line was cut off. */
const PRIVATE_KEY = /-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY( BLOCK)?-----|$)/g;

/** The user-information part of a URL that carries a password: scheme://user:password@host. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]+:[^\s/?#@]*@/gi;

/** Query or fragment parameters that carry a secret. The parameter name stays and the value goes. */
const QUERY_SECRET =
  /([?&#;](?:access_token|refresh_token|id_token|token|api_key|apikey|key|sig|signature|secret|client_secret|password|passwd|auth|code|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s#"'<>]+/gi;

/** Vendor token formats whose prefix alone identifies them. */
const VENDOR_TOKENS = [
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
];

/** `password=...`, `secret: ...` and similar assignments. The name stays and the value goes. */
const ASSIGNED_SECRET =
  /(?<![A-Za-z0-9])((?:password|passwd|pwd|secret|client_secret|secret_key|api_key|apikey|api-key|access_key|access_token|auth_token|private_key|token)\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;&]+)/gi;

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b/g;

/** "+49 30 1234 5678", "+1 (555) 123-4567": a country code, then groups of digits. */
const PHONE_INTERNATIONAL = /(?<![\w+./-])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w-]|\.\d)/g;
/** "(555) 123-4567", "555-123-4567", "555.123.4567": the North American form. */
const PHONE_NORTH_AMERICAN = /(?<![\w+./-])(?:\(\d{3}\) ?|\d{3}([ .-]))\d{3}[ .-]\d{4}(?![\w-]|\.\d)/g;
/** "030 12345678", "0171-1234567", "06 12 34 56 78": a trunk prefix 0, one separator used throughout. */
const PHONE_TRUNK = /(?<![\w+./:-])0\d{1,4}([ /.-])\d{2,8}(?:\1\d{2,8}){0,3}(?![\w-]|[./:]\d)/g;

/** Home folders whose second segment is a user name. */
const HOME_FOLDER = /((?:^|[\s"'(=:])(?:\/home\/|\/Users\/|\/export\/home\/|[A-Za-z]:\\(?:Users|Documents and Settings)\\))([^/\\\s"']+)/g;

/** Runs of characters that encodings of secrets (base64, base64url, hex) consist of. */
const TOKEN_LIKE = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{20,}(?![A-Za-z0-9+/_=-])/g;
const HEX_SHA = /^[0-9a-f]{7,40}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Parts of a string that read as written by a person rather than drawn at random:
 * words of three or more letters, runs of two or more digits (dates, counters,
 * timestamps) and separators. In random base64 they cover about a quarter of the characters.
 */
const READABLE = /[A-Z]?[a-z]{3,}|[A-Z]{3,}(?![a-z])|\d{2,}|[-_.+=]/g;
/** Path segments shorter than this are never judged alone, so short path names stay. */
const MIN_SECRET_LENGTH = 16;

/**
 * Returns true when one string without slashes is a random secret rather than an identifier,
 * a date, a counter or a hyphenated name: it mixes letters and digits, reads mostly
 * as random characters, and has high per-character entropy. Hex strings of 7 to 40
 * characters (commit SHAs) and UUIDs are identifiers.
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH || HEX_SHA.test(value) || UUID.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  let readable = 0;
  for (const match of value.matchAll(READABLE)) readable += match[0].length;
  if (readable / value.length >= 0.5) return false;
  return shannonEntropy(value) >= 3.2;
}

/** Judges a run with slashes per segment, so that paths and URL paths with dates or SHAs in them stay. */
function isSecretRun(run: string): boolean {
  return run.split("/").some(looksLikeSecret);
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function digitCount(text: string): number {
  let count = 0;
  for (const c of text) if (c >= "0" && c <= "9") count += 1;
  return count;
}

function scrubPhones(text: string): string {
  return text
    .replace(PHONE_INTERNATIONAL, (match) => {
      const digits = digitCount(match);
      return digits >= 8 && digits <= 15 ? PLACEHOLDERS.phone : match;
    })
    .replace(PHONE_NORTH_AMERICAN, PLACEHOLDERS.phone)
    .replace(PHONE_TRUNK, (match) => {
      const digits = digitCount(match);
      return digits >= 9 && digits <= 12 ? PLACEHOLDERS.phone : match;
    });
}

function scrubSecrets(text: string): string {
  let result = text.replace(PRIVATE_KEY, PLACEHOLDERS.secret);
  result = result.replace(URL_CREDENTIALS, `$1${PLACEHOLDERS.secret}@`);
  result = result.replace(QUERY_SECRET, `$1${PLACEHOLDERS.secret}`);
  for (const pattern of VENDOR_TOKENS) result = result.replace(pattern, PLACEHOLDERS.secret);
  return result.replace(ASSIGNED_SECRET, `$1${PLACEHOLDERS.secret}`);
}

interface WordSpan {
  start: number;
  end: number;
  word: string;
}

/** Returns true when only spaces, hyphens, dots or commas separate two words of a name. */
function joinsNameParts(text: string, from: number, to: number): boolean {
  return to - from <= 3 && /^[\s.,-]+$/.test(text.slice(from, to));
}

/** Length in words of the longest full name that starts at `index`, or 0. */
function fullNameAt(text: string, words: readonly WordSpan[], index: number, context: ScrubContext): number {
  const first = words[index];
  const candidates = first === undefined ? undefined : context.fullNames.get(first.word);
  if (candidates === undefined) return 0;
  let best = 0;
  for (const parts of candidates) {
    if (parts.length <= best) continue;
    let matched = true;
    for (let k = 1; k < parts.length; k++) {
      const previous = words[index + k - 1];
      const current = words[index + k];
      if (previous === undefined || current === undefined || current.word !== parts[k] || !joinsNameParts(text, previous.end, current.start)) {
        matched = false;
        break;
      }
    }
    if (matched) best = parts.length;
  }
  return best;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Returns true when no letter or digit touches the span, so "JaneParser" and "jane2" are not the name "Jane". */
function isWholeWord(text: string, span: WordSpan): boolean {
  const before = span.start > 0 ? text[span.start - 1] : undefined;
  const after = text[span.end];
  return (before === undefined || !LETTER_OR_DIGIT.test(before)) && (after === undefined || !LETTER_OR_DIGIT.test(after));
}

/** Any character outside ASCII. */
const NON_ASCII = /[^\p{ASCII}]/u;

/** Splits `text` into words from `from` on, at most `limit` of them, or all when `limit` is undefined. */
function wordsFrom(text: string, from: number, limit?: number): WordSpan[] {
  const pattern = new RegExp(WORD.source, WORD.flags);
  pattern.lastIndex = from;
  const words: WordSpan[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    words.push({ start: match.index, end: match.index + match[0].length, word: normalizeWord(match[0]) });
    if (limit !== undefined && words.length >= limit) break;
  }
  return words;
}

/** Finds a name that starts at `words[0]` and returns its end offset and word count, or undefined. */
function nameEndAt(text: string, words: readonly WordSpan[], context: ScrubContext): { end: number; words: number } | undefined {
  const span = words[0];
  if (span === undefined) return undefined;
  const length = fullNameAt(text, words, 0, context);
  const last = words[length - 1];
  if (length > 0 && last !== undefined && isWholeWord(text, { start: span.start, end: last.end, word: span.word })) return { end: last.end, words: length };
  if (context.nameWords.has(span.word) && isWholeWord(text, span)) return { end: span.end, words: 1 };
  return undefined;
}

function scrubNames(text: string, context: ScrubContext): string {
  if (context.nameWords.size === 0 && context.fullNames.size === 0) return text;
  const pieces: string[] = [];
  let copied = 0;
  const replace = (start: number, end: number) => {
    pieces.push(text.slice(copied, start), PLACEHOLDERS.person);
    copied = end;
  };
  if (context.prefilter !== undefined && !NON_ASCII.test(text)) {
    // Every word a name can start with is ASCII here, so only the prefilter's hits need a closer look.
    const candidates = new RegExp(context.prefilter.source, "gi");
    for (const match of text.matchAll(candidates)) {
      if (match.index < copied) continue;
      const found = nameEndAt(text, wordsFrom(text, match.index, context.longestName), context);
      if (found !== undefined) replace(match.index, found.end);
    }
  } else {
    const words = wordsFrom(text, 0);
    for (let i = 0; i < words.length; i++) {
      const span = words[i];
      if (span === undefined) continue;
      const found = nameEndAt(text, words.slice(i, i + context.longestName), context);
      if (found === undefined) continue;
      replace(span.start, found.end);
      i += found.words - 1;
    }
  }
  if (pieces.length === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join("");
}

/**
 * Replace personal data and secrets in a text with typed placeholders. Private key
 * blocks, credentials in URLs and query strings, vendor tokens, secret assignments
 * and random-looking strings become [secret]. E-mail addresses become [email] and
 * phone numbers [phone]. The names of the context's people, and the user name of a
 * home folder in a path, become [person]. The function is pure and idempotent.
 */
export function scrubText(text: string, context: ScrubContext = PATTERNS_ONLY): string {
  if (text === "") return text;
  let result = scrubSecrets(text);
  result = result.replace(EMAIL, PLACEHOLDERS.email);
  result = result.replace(TOKEN_LIKE, (run) => (isSecretRun(run) ? PLACEHOLDERS.secret : run));
  result = scrubPhones(result);
  result = result.replace(HOME_FOLDER, (_match, prefix: string) => `${prefix}${PLACEHOLDERS.person}`);
  return scrubNames(result, context);
}
