import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InProcessJobQueue } from "./in-process.js";
import type { JobEvent } from "./queue.js";
import { withPayload } from "./queue.js";

const SyncPayload = z.object({ calendar: z.string(), n: z.number().int() });

describe("InProcessJobQueue", () => {
  it("runs jobs in send order", async () => {
    const queue = new InProcessJobQueue();
    const ran: number[] = [];
    await queue.work("sync", withPayload(SyncPayload, (payload) => {
      ran.push(payload.n);
      return Promise.resolve();
    }));

    for (let n = 0; n < 5; n++) await queue.send("sync", { calendar: "team", n });
    await queue.stop();

    expect(ran).toEqual([0, 1, 2, 3, 4]);
  });

  it("runs one job at a time per name", async () => {
    const queue = new InProcessJobQueue();
    let active = 0;
    let maxActive = 0;
    await queue.work("sync", async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
    });

    await Promise.all([1, 2, 3, 4].map((n) => queue.send("sync", { n })));
    await queue.stop();

    expect(maxActive).toBe(1);
  });

  it("keeps jobs sent before the handler", async () => {
    const queue = new InProcessJobQueue();
    const ran: string[] = [];
    const id = await queue.send("sync", { calendar: "early", n: 1 });
    await queue.work("sync", (job) => {
      ran.push(job.id);
      return Promise.resolve();
    });
    await queue.stop();

    expect(id).not.toBeNull();
    expect(ran).toEqual([id]);
  });

  it("retries with backoff, then gives up", async () => {
    const events: JobEvent[] = [];
    const queue = new InProcessJobQueue({ retryLimit: 2, retryDelayMs: 10, onEvent: (event) => events.push(event) });
    const attempts: number[] = [];
    await queue.work("flaky", () => {
      attempts.push(Date.now());
      return Promise.reject(new Error("feed server returned HTTP 503"));
    });

    await queue.send("flaky", {});
    await queue.stop();

    expect(attempts).toHaveLength(3);
    expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(18);
    expect(events.map((event) => (event.kind === "failed" ? [event.attempt, event.willRetry] : event.kind))).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it("succeeds on a retry", async () => {
    const queue = new InProcessJobQueue({ retryLimit: 3, retryDelayMs: 1 });
    let calls = 0;
    let done = false;
    await queue.work("flaky", () => {
      calls++;
      if (calls < 3) return Promise.reject(new Error("temporary"));
      done = true;
      return Promise.resolve();
    });

    await queue.send("flaky", {});
    await queue.stop();

    expect(calls).toBe(3);
    expect(done).toBe(true);
  });

  it("rejects an invalid payload without retry", async () => {
    const events: JobEvent[] = [];
    const queue = new InProcessJobQueue({ retryDelayMs: 1, onEvent: (event) => events.push(event) });
    let calls = 0;
    await queue.work("sync", withPayload(SyncPayload, () => {
      calls++;
      return Promise.resolve();
    }));

    await queue.send("sync", { calendar: "secret-calendar-name", n: "one" });
    await queue.stop();

    expect(calls).toBe(0);
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event?.kind).toBe("rejected");
    if (event?.kind !== "rejected") return;
    expect(event.reason).toBe("job sync: invalid payload: n: invalid_type");
    expect(event.reason).not.toContain("secret-calendar-name");
  });

  it("drops a waiting duplicate singleton", async () => {
    const queue = new InProcessJobQueue();
    const first = await queue.send("sync", { n: 1 }, { singletonKey: "calendar:team" });
    const second = await queue.send("sync", { n: 2 }, { singletonKey: "calendar:team" });
    const other = await queue.send("sync", { n: 3 }, { singletonKey: "calendar:other" });
    const ran: unknown[] = [];
    await queue.work("sync", (job) => {
      ran.push(job.data);
      return Promise.resolve();
    });
    await queue.stop();

    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(other).not.toBeNull();
    expect(ran).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it("stop drains, then refuses sends", async () => {
    const queue = new InProcessJobQueue();
    const finished: number[] = [];
    await queue.work("slow", async (job) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished.push((job.data as { n: number }).n);
    });
    await queue.send("slow", { n: 1 });
    await queue.send("slow", { n: 2 });

    await queue.stop();

    expect(finished).toEqual([1, 2]);
    await expect(queue.send("slow", { n: 3 })).rejects.toThrow("job queue is stopping: cannot send job slow");
  });

  it("copies the payload at send", async () => {
    const queue = new InProcessJobQueue();
    const payload = { n: 1 };
    const seen: unknown[] = [];
    await queue.send("sync", payload);
    payload.n = 2;
    await queue.work("sync", (job) => {
      seen.push(job.data);
      return Promise.resolve();
    });
    await queue.stop();

    expect(seen).toEqual([{ n: 1 }]);
  });
});
