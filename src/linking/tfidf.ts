/**
 * A TF-IDF index over issue texts with an inverted index, so a query touches only
 * the issues that share a term with it. Term weights are (1 + log tf) × idf, vectors
 * are L2-normalized, and the score is their cosine.
 */
export class TfIdfIndex {
  private readonly postings = new Map<string, { doc: number; weight: number }[]>();
  private readonly documentFrequency = new Map<string, number>();
  private documentCount = 0;

  constructor(documents: ReadonlyMap<number, readonly string[]>) {
    this.documentCount = documents.size;
    for (const tokens of documents.values()) {
      for (const term of new Set(tokens)) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    for (const [doc, tokens] of documents) {
      for (const [term, weight] of this.vector(tokens)) {
        const list = this.postings.get(term) ?? [];
        list.push({ doc, weight });
        this.postings.set(term, list);
      }
    }
  }

  idf(term: string): number {
    return Math.log((this.documentCount + 1) / ((this.documentFrequency.get(term) ?? 0) + 1)) + 1;
  }

  /** Normalized TF-IDF vector of a token list. */
  vector(tokens: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    let norm = 0;
    const weights = new Map<string, number>();
    for (const [term, count] of counts) {
      const weight = (1 + Math.log(count)) * this.idf(term);
      weights.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, weight] of weights) weights.set(term, weight / norm);
    return weights;
  }

  /** Cosine similarity of the query with every document that shares a term, by document id. */
  similarities(queryTokens: readonly string[]): Map<number, number> {
    const scores = new Map<number, number>();
    for (const [term, weight] of this.vector(queryTokens)) {
      for (const posting of this.postings.get(term) ?? []) {
        scores.set(posting.doc, (scores.get(posting.doc) ?? 0) + weight * posting.weight);
      }
    }
    return scores;
  }

  /** The query terms that contributed most to a document's score, for explanations. */
  topSharedTerms(queryTokens: readonly string[], documentTokens: ReadonlySet<string>, count: number): string[] {
    return [...this.vector(queryTokens)]
      .filter(([term]) => documentTokens.has(term))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([term]) => term);
  }
}
