/**
 * Tokenizer for ranking: splits camelCase and paths, lower-cases, drops stop words,
 * numbers and one-letter tokens, and strips a few English suffixes so that "fetching",
 * "fetched" and "fetches" meet at "fetch".
 */
const STOP_WORDS = new Set(
  (
    "the a an and or of to in for on with is are be this that it as at by from not no use can should when if we i you " +
    "but have has was were will would do does into out only all any add added adds fix fixed fixes patch svn git id " +
    "https http www org com repos trunk java txt src main test tests md ts js py " +
    "so up more some now then also just than too very via per its our their there here what which who how why " +
    "been being get got make made new old one two other only same such these those about after before again over under"
  ).split(" "),
);

const SUFFIXES = /(ing|ed|es|s)$/;

/** Receives every text the tokenizer reads and the tokens it returns. Tests use it to check what features receive. */
export type TokenObserver = (text: string, tokens: readonly string[]) => void;

let tokenObserver: TokenObserver | undefined;

/** Sets the observer of every later `tokenize` call, or removes it with undefined. */
export function observeTokens(observer: TokenObserver | undefined): void {
  tokenObserver = observer;
}

export function tokenize(text: string, extraStopWords?: ReadonlySet<string>): string[] {
  const tokens = tokenizeText(text, extraStopWords);
  tokenObserver?.(text, tokens);
  return tokens;
}

/** The placeholders that scrubbing leaves. As terms they would match every scrubbed text with every other. */
const PLACEHOLDER = /\[(?:email|phone|secret|person)\]/g;

function tokenizeText(text: string, extraStopWords?: ReadonlySet<string>): string[] {
  const tokens: string[] = [];
  const spaced = text.replace(PLACEHOLDER, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  for (const raw of spaced.split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 || /^\d+$/.test(raw) || STOP_WORDS.has(raw) || extraStopWords?.has(raw)) continue;
    tokens.push(raw.length > 4 ? raw.replace(SUFFIXES, "") : raw);
  }
  return tokens;
}

/** Tokens of file paths: the last two segments of each path, where the meaningful names are. */
export function tokenizePaths(paths: string): string[] {
  return paths
    .split("\n")
    .filter((p) => p.trim() !== "")
    .flatMap((p) => tokenize(p.split(/[\\/]/).slice(-2).join(" ")));
}
