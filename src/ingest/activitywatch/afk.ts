/** A span [start, end) in epoch milliseconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

/**
 * Not-afk periods of one host, sorted and joined where they overlap or touch, so that
 * cutting an event is a binary search and a walk.
 */
export class ActivePeriods {
  private readonly periods: TimeSpan[];

  constructor(spans: readonly TimeSpan[]) {
    const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
    const joined: TimeSpan[] = [];
    for (const span of sorted) {
      const last = joined.at(-1);
      if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
      else joined.push({ start: span.start, end: span.end });
    }
    this.periods = joined;
  }

  /** Return the parts of [start, end) that lie inside not-afk periods, in time order. */
  cut(start: number, end: number): TimeSpan[] {
    const pieces: TimeSpan[] = [];
    for (let i = this.firstEndingAfter(start); i < this.periods.length; i += 1) {
      const period = this.periods[i];
      if (period === undefined || period.start >= end) break;
      const pieceStart = Math.max(start, period.start);
      const pieceEnd = Math.min(end, period.end);
      if (pieceEnd > pieceStart) pieces.push({ start: pieceStart, end: pieceEnd });
    }
    return pieces;
  }

  /** Index of the first period whose end lies after `instant`. */
  private firstEndingAfter(instant: number): number {
    let low = 0;
    let high = this.periods.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const period = this.periods[middle];
      if (period !== undefined && period.end <= instant) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
