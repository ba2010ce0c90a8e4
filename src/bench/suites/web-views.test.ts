import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBenchArgs } from "../config.js";
import type { Table } from "../report.js";
import { benchWebViews, percentile } from "./web-views.js";

describe("percentile", () => {
  it("takes the nearest rank, so p95 of 20 samples is the 19th smallest", () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(samples, 95)).toBe(19);
    expect(percentile(samples, 50)).toBe(10);
    expect(percentile(samples, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });
});

describe("web views benchmark options", () => {
  it("builds a 100-person team by default and a small one with --quick", () => {
    const full = parseBenchArgs(["--only", "web"], "unused.md");
    expect(full.only).toEqual(new Set(["web"]));
    expect(full.web.people).toBe(100);
    expect(full.repeats.web).toBe(30);
    const quick = parseBenchArgs(["--quick", "--only", "web"], "unused.md");
    expect(quick.web.people).toBeLessThan(20);
    expect(quick.web.people).toBeGreaterThanOrEqual(5);
    expect(quick.repeats.web).toBe(5);
  });

  it("keeps at least 5 requests and ignores --scale", () => {
    const config = parseBenchArgs(["--repeat", "2", "--scale", "0.5"], "unused.md");
    expect(config.repeats.web).toBe(5);
    expect(config.web.people).toBe(100);
    expect(parseBenchArgs(["--repeat", "12"], "unused.md").repeats.web).toBe(12);
  });
});

describe("benchWebViews", () => {
  const work = mkdtempSync(join(tmpdir(), "worklens-web-bench-test-"));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it("builds the dataset through the importers and times each view over loopback HTTP", async () => {
    const config = parseBenchArgs(["--quick", "--only", "web"], "unused.md");
    // Smaller than --quick, so the test stays fast. 6 people are still above the minimum group size of 5.
    config.web = { people: 6, issues: 60, commits: 400, heartbeats: 3_000 };
    const section = await benchWebViews(config, work);

    expect(section.title).toBe("6. Web views on a 100-person, one-year team");
    const tables = section.blocks.filter((b): b is Table => typeof b !== "string");
    const views = tables.find((t) => t.headers[0] === "view");
    expect(views).toBeDefined();
    const row = (start: string) => views?.rows.find((r) => r[0]?.startsWith(start));

    for (const name of ["GET /api/health", "GET / (index.html)", "a member's busiest week", "team capacity, 12 weeks", "team capacity, 52 weeks"]) {
      const cells = row(name);
      expect(cells, name).toBeDefined();
      expect(cells?.[1], name).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    }
    expect(row("a member's busiest week")?.[6]).toMatch(/^[1-9]\d* suggestions$/);
    expect(row("team capacity, 52 weeks")?.[6]).toMatch(/^52 weeks, \d+ with numbers$/);
    expect(row("team capacity, 12 weeks")?.[7]).toMatch(/^≤ 1\.00 s: (within|\*\*over\*\*)$/);

    const build = tables.find((t) => t.headers[0] === "building the dataset");
    expect(build?.rows.map((r) => r[0])).toEqual(expect.arrayContaining(["Jira: import", "git: import", "WakaTime: import", "link", "allocate"]));
  }, 120_000);
});
