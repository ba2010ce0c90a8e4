import { getHeapStatistics } from "node:v8";

/** One timed step inside a benchmark worker process. */
export interface StageSample {
  name: string;
  wallMs: number;
  /** Records the stage handled (commits, issues, heartbeats, activities); 0 when it has no such count. */
  records: number;
  /** Largest V8 heap in use seen during the stage, sampled every HEAP_SAMPLE_MS; see HeapSampler. */
  heapPeakBytes: number;
  /** Peak resident set size of the whole process so far (ru_maxrss), so it never decreases from stage to stage. */
  maxRssBytes: number;
}

/** Heap sampling interval in milliseconds. */
export const HEAP_SAMPLE_MS = 10;

/**
 * Tracks the largest V8 heap in use over a span of time by sampling on a timer.
 * NOTE: a timer cannot fire during a long synchronous step (JSON.parse of a large
 * file, a tight parse loop), so a peak inside such a step is missed. Peak RSS has no
 * such gap.
 */
class HeapSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, HEAP_SAMPLE_MS);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, getHeapStatistics().used_heap_size);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/**
 * Runs the stages of one benchmark and records wall time, heap peak and peak RSS of
 * each. When the process was started with --expose-gc, a full garbage collection
 * runs before each stage, so the previous stage's garbage does not inflate the
 * next stage's heap peak. The collection is not timed.
 */
export class StageRecorder {
  readonly samples: StageSample[] = [];

  async stage<T>(name: string, work: () => Promise<T> | T, records: number | ((result: T) => number) = 0): Promise<T> {
    globalThis.gc?.();
    const sampler = new HeapSampler();
    const started = performance.now();
    const result = await work();
    const wallMs = performance.now() - started;
    const heapPeakBytes = sampler.stop();

    this.samples.push({
      name,
      wallMs,
      records: typeof records === "number" ? records : records(result),
      heapPeakBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    return result;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}
