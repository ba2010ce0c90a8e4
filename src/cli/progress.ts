import { SingleBar, Presets } from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on standard error, or nothing when it is not a terminal (CI, pipes). */
export function createProgress(enabled: boolean, label: string): Progress {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
