import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import type { IdentityInput } from "../../domain/types.js";
import { parseWakatime, WAKATIME_SKIP_REASONS } from "./parse.js";

const person: IdentityInput = { source: "wakatime", externalId: "dev@example.com", email: "dev@example.com" };
const options = { file: "beats.json", person, machine: "laptop-a" };

function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}

function heartbeat(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entity: "/home/dev/proj/src/a.ts",
    type: "file",
    category: "coding",
    time: 1741600800.1234,
    project: "proj",
    project_root_count: 3,
    branch: "feature/PROJ-42-fix",
    language: "TypeScript",
    dependencies: ["zod"],
    lines: 200,
    line_additions: 4,
    line_deletions: 1,
    lineno: 10,
    cursorpos: 3,
    is_write: true,
    ...overrides,
  };
}

function parseOne(value: Record<string, unknown>, extra: Partial<typeof options> = {}) {
  return parseWakatime(bytes([value]), { ...options, ...extra });
}

describe("parseWakatime", () => {
  it("maps a heartbeat to an activity", () => {
    const { records, skipped } = parseOne(heartbeat());
    expect(skipped).toEqual([]);
    const [activity] = records;
    expect(activity?.kind).toBe("ide_heartbeat");
    expect(activity?.source).toBe("wakatime");
    expect(activity?.startAt).toBe(1_741_600_800_123);
    expect(activity?.endAt).toBe(1_741_600_800_123);
    expect(activity?.tz).toBe("UTC");
    expect(activity?.dateOnly).toBe(false);
    expect(activity?.project).toBe("proj");
    expect(activity?.machine).toBe("laptop-a");
    expect(activity?.actor).toEqual(person);
    expect(activity?.explicitKeys).toEqual(["PROJ-42"]);
    expect(activity?.metrics).toEqual({ isWrite: true, linesAdded: 4, linesDeleted: 1 });
    expect(activity?.text).toEqual({ paths: "/home/dev/proj/src/a.ts", branch: "feature/PROJ-42-fix" });
    expect(activity?.sourceUid).toMatch(/^wakatime:[A-Za-z0-9_-]+$/);
  });

  it("takes issue keys from the project name", () => {
    const [activity] = parseOne(heartbeat({ branch: "main", project: "OPS-7 hotfix" })).records;
    expect(activity?.explicitKeys).toEqual(["OPS-7"]);
  });

  it("accepts null fields from wakatime-cli", () => {
    const value = heartbeat({ branch: null, project: null, language: null, is_write: null, lineno: null, cursorpos: null, lines: null, dependencies: null });
    const { records, skipped } = parseOne(value);
    expect(skipped).toEqual([]);
    expect(records[0]?.project).toBeUndefined();
    expect(records[0]?.text.branch).toBeUndefined();
    expect(records[0]?.metrics?.isWrite).toBe(false);
    expect(records[0]?.explicitKeys).toEqual([]);
  });

  it("ignores unknown fields", () => {
    const plain = parseOne(heartbeat()).records[0];
    const extended = parseOne(heartbeat({ user_agent: "wakatime/v1.90.0", ai_line_changes: 3, plugin: { x: 1 } })).records[0];
    expect(extended?.sourceUid).toBe(plain?.sourceUid);
  });

  it("keeps non-file entities as title", () => {
    const [activity] = parseOne(heartbeat({ type: "domain", entity: "github.com" })).records;
    expect(activity?.text.title).toBe("github.com");
    expect(activity?.text.paths).toBeUndefined();
  });

  it("machine is optional", () => {
    const [activity] = parseWakatime(bytes([heartbeat()]), { file: "beats.json", person }).records;
    expect(activity?.machine).toBeUndefined();
  });

  it("exact re-send gets the same id", () => {
    const { records } = parseWakatime(bytes([heartbeat(), heartbeat()]), options);
    expect(records).toHaveLength(2);
    expect(records[0]?.sourceUid).toBe(records[1]?.sourceUid);
  });

  it("same second, distinct heartbeats differ", () => {
    const base = parseOne(heartbeat()).records[0]?.sourceUid;
    const variants = [
      parseOne(heartbeat({ time: 1741600800.8765 })),
      parseOne(heartbeat({ entity: "/home/dev/proj/src/b.ts" })),
      parseOne(heartbeat({ is_write: false })),
      parseOne(heartbeat({ type: "app" })),
      parseOne(heartbeat({ category: "debugging" })),
      parseOne(heartbeat(), { machine: "desktop-b" }),
      parseOne(heartbeat(), { person: { source: "wakatime", externalId: "other@example.com" } }),
    ].map((r) => r.records[0]?.sourceUid);
    for (const uid of variants) expect(uid).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it("id ignores fields outside the key", () => {
    const base = parseOne(heartbeat()).records[0]?.sourceUid;
    expect(parseOne(heartbeat({ lineno: 99, cursorpos: 1, language: "Go" })).records[0]?.sourceUid).toBe(base);
  });

  it("skips bad records by index", () => {
    const body = [
      heartbeat(),
      "not an object",
      heartbeat({ time: undefined }),
      heartbeat({ time: "1741600800" }),
      heartbeat({ time: 5 }),
      heartbeat({ time: 5_000_000_000 }),
      heartbeat({ entity: "" }),
      heartbeat({ entity: undefined }),
      heartbeat({ lineno: "ten" }),
      null,
      [1, 2],
    ];
    const { records, skipped } = parseWakatime(bytes(body), options);
    expect(records).toHaveLength(1);
    expect(skipped).toEqual([
      { record: "heartbeats[1]", reason: WAKATIME_SKIP_REASONS.notObject },
      { record: "heartbeats[2]", reason: WAKATIME_SKIP_REASONS.missingTime },
      { record: "heartbeats[3]", reason: WAKATIME_SKIP_REASONS.timeNotNumber },
      { record: "heartbeats[4]", reason: WAKATIME_SKIP_REASONS.implausibleTime },
      { record: "heartbeats[5]", reason: WAKATIME_SKIP_REASONS.implausibleTime },
      { record: "heartbeats[6]", reason: WAKATIME_SKIP_REASONS.missingEntity },
      { record: "heartbeats[7]", reason: WAKATIME_SKIP_REASONS.missingEntity },
      { record: "heartbeats[8]", reason: `${WAKATIME_SKIP_REASONS.badField}: lineno` },
      { record: "heartbeats[9]", reason: WAKATIME_SKIP_REASONS.notObject },
      { record: "heartbeats[10]", reason: WAKATIME_SKIP_REASONS.notObject },
    ]);
  });

  it("empty array yields nothing", () => {
    expect(parseWakatime(bytes([]), options)).toEqual({ records: [], skipped: [], warnings: [] });
  });
});

describe("parseWakatime bad input", () => {
  const cases: [string, Uint8Array][] = [
    ["not JSON", bytes("entity,time\n/a.ts,1741600800")],
    ["an object", bytes({ data: [heartbeat()] })],
    ["truncated", bytes(JSON.stringify([heartbeat(), heartbeat()]).slice(0, 120))],
    ["empty", bytes("")],
    ["null", bytes("null")],
    ["invalid UTF-8", new Uint8Array([0x5b, 0xff, 0xfe, 0x5d])],
  ];

  for (const [name, input] of cases) {
    it(`rejects ${name}`, () => {
      let caught: unknown;
      try {
        parseWakatime(input, options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WorklensError);
      expect((caught as WorklensError).code).toBe("INVALID_INPUT");
      expect((caught as WorklensError).message).toContain("beats.json");
      expect((caught as WorklensError).hint).toBeTruthy();
    });
  }
});

describe("parseWakatime properties", () => {
  const timeArb = fc.double({ min: 7e8, max: 4e9, noNaN: true });
  const entityArb = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== "");

  it("id is stable across parses", () => {
    fc.assert(
      fc.property(timeArb, entityArb, fc.boolean(), (time, entity, isWrite) => {
        const value = heartbeat({ time, entity, is_write: isWrite });
        expect(parseOne(value).records[0]?.sourceUid).toBe(parseOne(structuredClone(value)).records[0]?.sourceUid);
      }),
    );
  });

  it("instant is time in milliseconds", () => {
    fc.assert(
      fc.property(timeArb, (time) => {
        const [activity] = parseOne(heartbeat({ time })).records;
        expect(activity?.startAt).toBe(Math.round(time * 1000));
        expect(activity?.endAt).toBe(activity?.startAt);
      }),
    );
  });
});
