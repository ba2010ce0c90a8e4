import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { IdentityInput } from "../../domain/types.js";
import { ACTIVITYWATCH_SKIP_REASONS, parseActivityWatch } from "./parse.js";
import { awBucket, awExport, toBytes } from "./test-support/fixtures.js";

const person: IdentityInput = { source: "activitywatch", externalId: "dev@example.com", email: "dev@example.com" };
const options = { file: "aw.json", person };
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2025, 2, 10, hh, mm, ss);

const editorBucket = awBucket("aw-watcher-vscode_laptop", "app.editor.activity", "laptop", [
  {
    id: 41,
    timestamp: "2025-03-10T09:00:00.250Z",
    duration: 600.5,
    data: { file: "/home/dev/proj/src/OPS-3-notes.md", project: "/home/dev/proj", language: "markdown", branch: "feature/PROJ-42-fix" },
  },
  { id: 42, timestamp: "2025-03-10T09:20:00Z", duration: 60, data: { file: "unknown", project: "unknown", language: "unknown" } },
]);

const windowBucket = awBucket("aw-watcher-window_laptop", "currentwindow", "laptop", [
  { timestamp: "2025-03-10T09:00:00+00:00", duration: 300, data: { app: "Code", title: "PROJ-42 parse.ts - proj - Visual Studio Code" } },
  { timestamp: "2025-03-10T09:05:00+00:00", duration: 120, data: { app: "Slack", title: "#team" } },
  { timestamp: "2025-03-10T09:07:00+00:00", duration: 60, data: { title: "no app" } },
  { timestamp: "2025-03-10T09:08:00+00:00", duration: 0, data: { app: "kitty", title: "zero" } },
]);

const afkBucket = awBucket("aw-watcher-afk_laptop", "afkstatus", "laptop", [
  { timestamp: "2025-03-10T08:00:00+00:00", duration: 7200, data: { status: "not-afk" } },
]);

describe("parseActivityWatch", () => {
  it("maps editor events to sessions", () => {
    const { records } = parseActivityWatch(toBytes(awExport(editorBucket, afkBucket)), options);
    const [first, second] = records;
    expect(first).toEqual({
      sourceUid: "aw:aw-watcher-vscode_laptop:41",
      source: "activitywatch",
      kind: "ide_session",
      actor: person,
      startAt: at(9, 0) + 250,
      endAt: at(9, 10) + 750,
      tz: "UTC",
      dateOnly: false,
      project: "/home/dev/proj",
      machine: "laptop",
      explicitKeys: ["PROJ-42", "OPS-3"],
      text: { paths: "/home/dev/proj/src/OPS-3-notes.md", branch: "feature/PROJ-42-fix" },
    });
    expect(second?.project).toBeUndefined();
    expect(second?.text).toEqual({});
    expect(second?.explicitKeys).toEqual([]);
  });

  it("keeps only editor and IDE windows", () => {
    const { records, skipped } = parseActivityWatch(toBytes(awExport(windowBucket, afkBucket)), options);
    expect(records).toHaveLength(1);
    expect(records[0]?.text).toEqual({ title: "PROJ-42 parse.ts - proj - Visual Studio Code" });
    expect(records[0]?.explicitKeys).toEqual(["PROJ-42"]);
    expect(records[0]?.startAt).toBe(at(9, 0));
    expect(records[0]?.endAt).toBe(at(9, 5));
    expect(records[0]?.sourceUid).toMatch(/^aw:aw-watcher-window_laptop:[A-Za-z0-9_-]{22}$/);
    expect(skipped).toEqual([
      { record: 'buckets["aw-watcher-window_laptop"].events[1]', reason: ACTIVITYWATCH_SKIP_REASONS.notEditorApp },
      { record: 'buckets["aw-watcher-window_laptop"].events[2]', reason: ACTIVITYWATCH_SKIP_REASONS.missingApp },
      { record: 'buckets["aw-watcher-window_laptop"].events[3]', reason: ACTIVITYWATCH_SKIP_REASONS.zeroDuration },
    ]);
  });

  it("cuts events to not-afk time", () => {
    const window = awBucket("aw-watcher-window_laptop", "currentwindow", "laptop", [
      { timestamp: "2025-03-10T09:00:00Z", duration: 3600, data: { app: "idea64.exe", title: "worklens" } },
      { timestamp: "2025-03-10T09:25:00Z", duration: 600, data: { app: "idea64.exe", title: "worklens" } },
    ]);
    const afk = awBucket("aw-watcher-afk_laptop", "afkstatus", "laptop", [
      { timestamp: "2025-03-10T08:50:00Z", duration: 1800, data: { status: "not-afk" } },
      { timestamp: "2025-03-10T09:20:00Z", duration: 1200, data: { status: "afk" } },
      { timestamp: "2025-03-10T09:40:00Z", duration: 1800, data: { status: "not-afk" } },
    ]);
    const { records, skipped, warnings } = parseActivityWatch(toBytes(awExport(window, afk)), options);
    expect(warnings).toEqual([]);
    expect(records.map((r) => [r.startAt, r.endAt])).toEqual([
      [at(9, 0), at(9, 20)],
      [at(9, 40), at(10, 0)],
    ]);
    expect(records[0]?.sourceUid.endsWith("#0")).toBe(true);
    expect(records[1]?.sourceUid.endsWith("#1")).toBe(true);
    expect(skipped).toEqual([{ record: 'buckets["aw-watcher-window_laptop"].events[1]', reason: ACTIVITYWATCH_SKIP_REASONS.allAfk }]);
  });

  it("uses afk data of the same host only", () => {
    const window = awBucket("aw-watcher-window_desktop", "currentwindow", "desktop", [
      { timestamp: "2025-03-10T09:00:00Z", duration: 600, data: { app: "Alacritty", title: "npm test" } },
      { timestamp: "2025-03-10T09:30:00Z", duration: 600, data: { app: "Alacritty", title: "npm test" } },
    ]);
    const { records, warnings } = parseActivityWatch(toBytes(awExport(window, afkBucket)), options);
    expect(records.map((r) => [r.startAt, r.endAt])).toEqual([
      [at(9, 0), at(9, 10)],
      [at(9, 30), at(9, 40)],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no afkstatus bucket for host "desktop"');
  });

  it("skips web and other buckets whole", () => {
    const web = awBucket("aw-watcher-web-chrome", "web.tab.current", "unknown", [
      { timestamp: "2025-03-10T09:00:00Z", duration: 60, data: { url: "https://example.com/", title: "Example", audible: false, incognito: false } },
    ]);
    const input = awBucket("aw-watcher-input_laptop", "os.hid.input", "laptop", []);
    const { records, skipped } = parseActivityWatch(toBytes(awExport(web, input, afkBucket)), options);
    expect(records).toEqual([]);
    expect(skipped).toEqual([
      { record: 'buckets["aw-watcher-web-chrome"] (1 events)', reason: ACTIVITYWATCH_SKIP_REASONS.webBucket },
      { record: 'buckets["aw-watcher-input_laptop"] (0 events)', reason: ACTIVITYWATCH_SKIP_REASONS.otherBucket },
    ]);
  });

  it("skips bad buckets and events", () => {
    const editor = awBucket("aw-watcher-vim_laptop", "app.editor.activity", "laptop", [
      { timestamp: "2025-03-10T09:00:00Z", duration: 60, data: { file: "/a.ts" } },
      { timestamp: "2025-03-10T09:00:00", duration: 60, data: { file: "/b.ts" } },
      { timestamp: "2025-03-10T09:00:00Z", duration: -5, data: { file: "/c.ts" } },
      { timestamp: "1970-01-02T00:00:00Z", duration: 60, data: { file: "/d.ts" } },
      { timestamp: "2025-03-10T09:00:00Z", duration: 60, data: "x" } as never,
    ]);
    const badAfk = awBucket("aw-watcher-afk_laptop", "afkstatus", "laptop", [
      { timestamp: "2025-03-10T08:00:00Z", duration: 7200, data: { status: "not-afk" } },
      { timestamp: "2025-03-10T08:00:00Z", duration: 60, data: { status: "sleeping" } },
    ]);
    const exported = awExport(editor, badAfk);
    exported.buckets["broken"] = { id: "broken", type: "currentwindow" };
    const { records, skipped } = parseActivityWatch(toBytes(exported), options);
    expect(records).toHaveLength(1);
    expect(skipped).toEqual([
      { record: 'buckets["broken"]', reason: ACTIVITYWATCH_SKIP_REASONS.badBucket },
      { record: 'buckets["aw-watcher-afk_laptop"].events[1]', reason: ACTIVITYWATCH_SKIP_REASONS.badAfkEvent },
      { record: 'buckets["aw-watcher-vim_laptop"].events[1]', reason: ACTIVITYWATCH_SKIP_REASONS.badEvent },
      { record: 'buckets["aw-watcher-vim_laptop"].events[2]', reason: ACTIVITYWATCH_SKIP_REASONS.badEvent },
      { record: 'buckets["aw-watcher-vim_laptop"].events[3]', reason: ACTIVITYWATCH_SKIP_REASONS.implausibleTime },
      { record: 'buckets["aw-watcher-vim_laptop"].events[4]', reason: ACTIVITYWATCH_SKIP_REASONS.badEvent },
    ]);
  });

  it("reads a bare bucket", () => {
    const { records } = parseActivityWatch(toBytes(editorBucket), options);
    expect(records).toHaveLength(2);
  });

  it("keeps the offset of the timestamp", () => {
    const editor = awBucket("aw-watcher-vscode_laptop", "app.editor.activity", "laptop", [
      { id: 1, timestamp: "2025-03-10T11:00:00.123456+02:00", duration: 60, data: { file: "/a.ts" } },
    ]);
    const [activity] = parseActivityWatch(toBytes(awExport(editor)), options).records;
    expect(activity?.startAt).toBe(at(9, 0) + 123);
    expect(activity?.tz).toBe("UTC+02:00");
  });

  it("ids are stable across parses", () => {
    const bytes = toBytes(awExport(editorBucket, windowBucket, afkBucket));
    const first = parseActivityWatch(bytes, options).records.map((r) => r.sourceUid);
    const second = parseActivityWatch(bytes, options).records.map((r) => r.sourceUid);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it("reasons repeat verbatim per kind", () => {
    const many = awBucket(
      "aw-watcher-window_laptop",
      "currentwindow",
      "laptop",
      Array.from({ length: 50 }, (_, i) => ({ timestamp: new Date(at(9, i)).toISOString(), duration: 30, data: { app: `App ${i}`, title: `secret ${i}` } })),
    );
    const { skipped } = parseActivityWatch(toBytes(awExport(many, afkBucket)), options);
    expect(skipped).toHaveLength(50);
    expect(new Set(skipped.map((s) => s.reason))).toEqual(new Set([ACTIVITYWATCH_SKIP_REASONS.notEditorApp]));
    expect(skipped.some((s) => s.reason.includes("secret") || s.record.includes("secret"))).toBe(false);
  });
});

describe("parseActivityWatch bad input", () => {
  const cases: [string, Uint8Array][] = [
    ["not JSON", toBytes("bucket,events\n")],
    ["an array", toBytes([awExport(editorBucket)])],
    ["no buckets", toBytes({ events: [] })],
    ["truncated", toBytes(JSON.stringify(awExport(editorBucket, afkBucket)).slice(0, 200))],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xc3, 0x28, 0x7d])],
  ];

  for (const [name, input] of cases) {
    it(`rejects ${name}`, () => {
      let caught: unknown;
      try {
        parseActivityWatch(input, options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WorklensError);
      expect((caught as WorklensError).code).toBe("INVALID_INPUT");
      expect((caught as WorklensError).message).toContain("aw.json");
    });
  }
});
