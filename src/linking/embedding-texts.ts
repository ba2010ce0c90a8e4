import type { IssueText } from "../store/issue-repository.js";
import type { Linker, LinkingInput } from "./linker.js";
import { tokenize } from "./tokens.js";

/** Returns the two token lists the ranker embeds for an issue: all its text, and its summary alone. */
export function issueEmbeddingTokens(text: IssueText): { all: string[]; summary: string[] } {
  const summary = tokenize(text.summary);
  return { all: [...summary, ...tokenize(text.description), ...tokenize(text.comments)], summary };
}

/** Returns the token lists of every issue text the ranker embeds, as `issueEmbeddingTokens` gives them. */
export function issueTokenLists(input: LinkingInput): string[][] {
  const lists: string[][] = [];
  for (const issue of input.issues) {
    const text = input.issueTexts.get(issue.id);
    if (text === undefined) continue;
    const { all, summary } = issueEmbeddingTokens(text);
    lists.push(all, summary);
  }
  return lists;
}

/** Returns the query token lists of every activity, as `RankerFeatureBuilder.build` embeds them. */
export function queryTokenLists(input: LinkingInput, linker: Linker): string[][] {
  return input.activities.map((a) => linker.queryTokensOf(a));
}

/** Returns every token list the learned ranker embeds while linking `input` with `linker`'s options. */
export function rankerTokenLists(input: LinkingInput, linker: Linker): string[][] {
  return [...issueTokenLists(input), ...queryTokenLists(input, linker)];
}
