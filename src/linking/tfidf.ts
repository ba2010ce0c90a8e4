/**
 * A TF-IDF index over issue texts with an inverted index, so a query touches only
 * the issues that share a term with it. Term weights are (1 + log tf) × idf, vectors
 * are L2-normalized, and the score is their cosine.
 */
export class TfIdfIndex {
  private readonly postings = new Map<string, { doc: number; weight: number; position: number }[]>();
  private readonly documentFrequency = new Map<string, number>();
  private documentCount = 0;
  /** Document ids by position. */
  private readonly documents: number[] = [];
  /** One score per document, all zero between queries. */
  private readonly scratch: Float64Array;

  constructor(documents: ReadonlyMap<number, readonly string[]>) {
    this.documentCount = documents.size;
    this.scratch = new Float64Array(documents.size);
    for (const tokens of documents.values()) {
      for (const term of new Set(tokens)) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    for (const [doc, tokens] of documents) {
      const position = this.documents.length;
      this.documents.push(doc);
      for (const [term, weight] of this.vector(tokens)) {
        const list = this.postings.get(term) ?? [];
        list.push({ doc, weight, position });
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
    // Summed in a dense array by the document's position, then handed out as a map:
    // a query term such as "fetcher" has hundreds of postings, and a map update per
    // posting was the largest cost of ranking.
    const touched: number[] = [];
    const scores = this.scratch;
    for (const [term, weight] of this.vector(queryTokens)) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      for (let k = 0; k < list.length; k++) {
        const posting = list[k] as { doc: number; weight: number; position: number };
        if (scores[posting.position] === 0) touched.push(posting.position);
        scores[posting.position] = (scores[posting.position] as number) + weight * posting.weight;
      }
    }
    const result = new Map<number, number>();
    for (const position of touched) {
      result.set(this.documents[position] as number, scores[position] as number);
      scores[position] = 0;
    }
    return result;
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
