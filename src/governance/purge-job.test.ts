import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InProcessJobQueue } from "../jobs/in-process.js";
import type { JobEvent } from "../jobs/queue.js";
import { Integrations } from "../integrations/registry.js";
import { BACKENDS, openTestStore, type TestStore } from "../store/test-support/backends.js";
import { setRetentionDays } from "./retention-settings.js";

const NOW = Date.UTC(2025, 5, 1);
const DAY_MS = 86_400_000;

describe.each(BACKENDS)("retention purge job on %s", (backend) => {
  let handle: TestStore;
  let queue: InProcessJobQueue;
  let events: JobEvent[];
  let messages: string[];
  let integrations: Integrations | undefined;

  beforeEach(async () => {
    handle = await openTestStore(backend);
    events = [];
    messages = [];
    queue = new InProcessJobQueue({ retryLimit: 0, onEvent: (event) => events.push(event) });
  });
  afterEach(async () => {
    integrations?.stop();
    integrations = undefined;
    await queue.stop();
    await handle.dispose();
  });

  async function start(minuteMs?: number): Promise<void> {
    const logger = pino({ level: "info", base: null }, { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) });
    integrations = new Integrations({ store: handle.store, queue, integrations: [], env: {}, logger, clock: () => NOW, ...(minuteMs === undefined ? {} : { minuteMs }) });
    await integrations.start();
  }

  it("purges through the queue as system", async () => {
    await handle.store.webhooks.recordDelivery("gitlab", "old", NOW - 40 * DAY_MS);
    await handle.store.webhooks.recordDelivery("gitlab", "new", NOW - DAY_MS);
    await setRetentionDays(handle.store, "raw_events", 30, { actor: "cli", at: NOW });
    await start();

    await integrations?.requestPurge();
    await queue.idle();

    expect(events).toEqual([]);
    expect(await handle.store.webhooks.count("gitlab")).toBe(1);
    const entries = await handle.store.db.selectFrom("audit_log").select(["actor", "action"]).where("action", "=", "privacy.purge").execute();
    expect(entries).toEqual([{ actor: "system", action: "privacy.purge" }]);
    expect(messages).toContain("retention purge finished");
  });

  it("runs once a day on its own", async () => {
    // A one-millisecond minute makes the daily schedule fire every 1.44 seconds.
    await start(1);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    await queue.idle();
    const entries = await handle.store.db.selectFrom("audit_log").select("action").where("action", "=", "privacy.purge").execute();
    expect(entries.length).toBeGreaterThanOrEqual(1);
  });
});
