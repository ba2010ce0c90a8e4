import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InProcessJobQueue } from "../jobs/in-process.js";
import type { JobEvent } from "../jobs/queue.js";
import { loadXGBoost } from "../ml/index.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { seedLabels } from "../training/test-support/labels.js";
import { multiplierTrainer } from "../training/test-support/multiplier-trainer.js";
import { Integrations } from "./registry.js";

interface LogLine {
  level: number;
  msg: string;
}

describe.each(BACKENDS)("model-training job on %s", (backend) => {
  let handle: TestStore;
  let queue: InProcessJobQueue;
  let events: JobEvent[];
  let lines: LogLine[];
  let integrations: Integrations | undefined;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    await seedLabels(handle.store, { from: "2025-01-30", to: "2025-03-14", people: 3, confirm: (s) => 0.7 * s, noiseSeconds: 300 });
    events = [];
    lines = [];
    queue = new InProcessJobQueue({ retryLimit: 0, onEvent: (event) => events.push(event) });
  });
  afterEach(async () => {
    integrations?.stop();
    integrations = undefined;
    await queue.stop();
    await handle.dispose();
  });

  function start(library?: string): Promise<void> {
    const logger = pino({ level: "info", base: null }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
    integrations = new Integrations({
      store: handle.store,
      queue,
      integrations: [],
      env: {},
      logger,
      clock: () => Date.UTC(2025, 2, 15, 3),
      training: { trainers: [multiplierTrainer], loadBackend: () => loadXGBoost(library === undefined ? {} : { library }) },
    });
    return integrations.start();
  }

  it("trains and promotes through the queue", async () => {
    await start();
    await integrations?.requestModelTraining();
    await queue.idle();

    expect(events).toEqual([]);
    const live = await handle.store.models.live("time");
    expect(live?.version).toBe(1);
    expect(live?.window).toEqual({ from: "2024-09-02", to: "2025-02-28" });
  });

  it("skips with one warning without the library", async () => {
    await start("/nonexistent/libxgboost.so.0");
    await integrations?.requestModelTraining();
    await queue.idle();

    expect(events).toEqual([]);
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/^model training skipped: /);
    expect(await handle.store.models.list()).toEqual([]);
  });
});
