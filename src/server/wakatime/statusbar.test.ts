import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../store/test-support/backends.js";
import { basicAuth, openTestApp, type TestApp } from "../test-support/app.js";
import { summarizeDuration, type StatusBarBody } from "./statusbar.js";

const MINUTE = 60;

describe("summarizeDuration", () => {
  const cases: [number, string, string][] = [
    [0, "0 secs", "0:00"],
    [1, "1 sec", "0:00"],
    [7.1, "7 secs", "0:00"],
    [60, "1 min", "0:01"],
    [49 * MINUTE + 6, "49 mins", "0:49"],
    [3600, "1 hr", "1:00"],
    [3600 + 15 * MINUTE, "1 hr 15 mins", "1:15"],
    [8256.598234, "2 hrs 17 mins", "2:17"],
  ];
  for (const [seconds, text, digital] of cases) {
    it(`formats ${seconds} seconds`, () => {
      const summary = summarizeDuration(seconds);
      expect(summary.text).toBe(text);
      expect(summary.digital).toBe(digital);
      expect(summary.total_seconds).toBe(seconds);
    });
  }
});

describe.each(BACKENDS)("statusbar today on %s", (backend) => {
  // 2025-03-10T01:30:00Z is still 2025-03-09 in New York (UTC-4 after the DST change of that day).
  const NOW = Date.UTC(2025, 2, 10, 1, 30);
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(backend, { clock: () => NOW });
  });
  afterEach(async () => {
    await t.close();
  });

  async function sendAt(times: number[], machine: string) {
    const beats = times.map((time) => ({ entity: "/p/a.ts", type: "file", category: "coding", time, is_write: false }));
    const response = await t.app.inject({ method: "POST", url: "/api/v1/users/current/heartbeats.bulk", payload: beats, headers: { authorization: basicAuth(t.key), "x-machine-name": machine } });
    expect(response.statusCode).toBe(202);
  }

  async function today(): Promise<StatusBarBody> {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/users/current/statusbar/today", headers: { authorization: basicAuth(t.key) } });
    expect(response.statusCode).toBe(200);
    return response.json<StatusBarBody>();
  }

  it("counts segments in the person's zone", async () => {
    const epochSeconds = (iso: string) => Date.parse(iso) / 1000;
    // New York day 2025-03-09: 23:00Z-23:10Z on one machine, 23:05Z-23:20Z on another, then a
    // 20-minute gap (over the 15-minute timeout) and 23:40Z-23:45Z. Merged across machines:
    // 23:00-23:20 (20 min) + 23:40-23:45 (5 min) = 25 min.
    await sendAt([epochSeconds("2025-03-09T23:00:00Z"), epochSeconds("2025-03-09T23:10:00Z")], "laptop-a");
    await sendAt([epochSeconds("2025-03-09T23:05:00Z"), epochSeconds("2025-03-09T23:20:00Z"), epochSeconds("2025-03-09T23:40:00Z"), epochSeconds("2025-03-09T23:45:00Z")], "desktop-b");
    // Earlier the same UTC day but the day before in New York: not counted there.
    await sendAt([epochSeconds("2025-03-09T03:00:00Z"), epochSeconds("2025-03-09T03:10:00Z")], "laptop-a");
    await t.handle.store.people.setTimeZone(t.personId, "America/New_York");

    const body = await today();
    expect(body.data.range.date).toBe("2025-03-09");
    expect(body.data.range.timezone).toBe("America/New_York");
    expect(body.data.grand_total.total_seconds).toBe(25 * MINUTE);
    expect(body.data.grand_total.text).toBe("25 mins");
  });

  it("uses UTC without a zone", async () => {
    const epochSeconds = (iso: string) => Date.parse(iso) / 1000;
    await sendAt([epochSeconds("2025-03-10T00:10:00Z"), epochSeconds("2025-03-10T00:20:00Z"), epochSeconds("2025-03-09T23:50:00Z")], "laptop-a");
    const body = await today();
    expect(body.data.range.date).toBe("2025-03-10");
    expect(body.data.range.timezone).toBe("UTC");
    expect(body.data.grand_total.total_seconds).toBe(10 * MINUTE);
  });

  it("zero for a person without heartbeats", async () => {
    const body = await today();
    expect(body.data.grand_total.total_seconds).toBe(0);
    expect(body.data.grand_total.text).toBe("0 secs");
  });
});
