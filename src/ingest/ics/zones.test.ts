import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { readCalendar } from "./components.js";
import { unfoldLines } from "./lines.js";
import { UTC_ZONE, ZoneResolver, zoneByName } from "./zones.js";

function timezones(...blocks: string[][]) {
  const text = ["BEGIN:VCALENDAR", ...blocks.flat(), "END:VCALENDAR"].join("\r\n");
  return readCalendar(unfoldLines(Buffer.from(text), "x.ics").lines)?.timezones ?? [];
}

function vtimezone(tzid: string, ...observances: string[][]): string[] {
  return ["BEGIN:VTIMEZONE", `TZID:${tzid}`, ...observances.flat(), "END:VTIMEZONE"];
}

function observance(kind: "STANDARD" | "DAYLIGHT", start: string, from: string, to: string, rule?: string): string[] {
  return [`BEGIN:${kind}`, `DTSTART:${start}`, `TZOFFSETFROM:${from}`, `TZOFFSETTO:${to}`, ...(rule === undefined ? [] : [`RRULE:${rule}`]), `END:${kind}`];
}

describe("zoneByName", () => {
  it.each([
    ["Europe/Berlin", "Europe/Berlin", "Europe/Berlin"],
    ["  america/new_york ", "America/New_York", "America/New_York"],
    ['"Asia/Tokyo"', "Asia/Tokyo", "Asia/Tokyo"],
    ["Etc/UTC", "UTC", "UTC"],
    ["Z", "UTC", "UTC"],
    ["+05:30", "UTC+05:30", "GMT+0530"],
    ["GMT-0330", "UTC-03:30", "GMT-0330"],
    ["/softwarestudio.org/Tzfile/Europe/Paris", "Europe/Paris", "Europe/Paris"],
    ["Pacific Standard Time", "America/Los_Angeles", "America/Los_Angeles"],
    ["w. europe standard time", "Europe/Berlin", "Europe/Berlin"],
    ["(UTC-05:00) Eastern Time (US & Canada)", "America/New_York", "America/New_York"],
  ])("resolves %s", (raw, name, tzid) => {
    expect(zoneByName(raw)).toEqual({ name, tzid });
  });

  it.each(["", "Mars/Olympus", "Customized Time Zone", "+25:00"])("rejects %j", (raw) => {
    expect(zoneByName(raw)).toBeUndefined();
  });
});

describe("ZoneResolver", () => {
  it("matches a Windows-style VTIMEZONE to the usual IANA zone", () => {
    const blocks = timezones(
      vtimezone(
        "Custom Europe",
        observance("STANDARD", "16010101T030000", "+0200", "+0100", "FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10"),
        observance("DAYLIGHT", "16010101T020000", "+0100", "+0200", "FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3"),
      ),
    );
    const warnings: string[] = [];

    const zone = new ZoneResolver(blocks, UTC_ZONE, "x.ics", warnings).resolve("Custom Europe", 2025);

    expect(zone).toEqual({ name: "Europe/Berlin", tzid: "Europe/Berlin" });
    expect(warnings).toEqual([]);
  });

  it("matches southern-hemisphere rules", () => {
    const blocks = timezones(
      vtimezone(
        "Custom Sydney",
        observance("STANDARD", "16010101T030000", "+1100", "+1000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"),
        observance("DAYLIGHT", "16010101T020000", "+1000", "+1100", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"),
      ),
    );

    const zone = new ZoneResolver(blocks, UTC_ZONE, "x.ics", []).resolve("Custom Sydney", 2025);

    expect(zone.name).toBe("Australia/Sydney");
  });

  it("matches a zone without daylight saving time", () => {
    const blocks = timezones(vtimezone("India", observance("STANDARD", "16010101T000000", "+0530", "+0530")));

    const zone = new ZoneResolver(blocks, UTC_ZONE, "x.ics", []).resolve("India", 2025);

    const iana = IANAZone.create(zone.name);
    expect(iana.isValid).toBe(true);
    expect(iana.offset(Date.UTC(2025, 0, 15))).toBe(330);
    expect(iana.offset(Date.UTC(2025, 6, 15))).toBe(330);
  });

  it("prefers X-LIC-LOCATION", () => {
    const block = vtimezone("Lightning zone", observance("STANDARD", "19700101T000000", "+0100", "+0100"));
    block.splice(2, 0, "X-LIC-LOCATION:Europe/Oslo");

    const zone = new ZoneResolver(timezones(block), UTC_ZONE, "x.ics", []).resolve("Lightning zone", 2025);

    expect(zone.name).toBe("Europe/Oslo");
  });

  it("warns once per unknown TZID and uses the fallback", () => {
    const warnings: string[] = [];
    const resolver = new ZoneResolver([], { name: "Asia/Tokyo", tzid: "Asia/Tokyo" }, "x.ics", warnings);

    expect(resolver.resolve("Nowhere Time", 2025).name).toBe("Asia/Tokyo");
    expect(resolver.resolve("Nowhere Time", 2026).name).toBe("Asia/Tokyo");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"Nowhere Time"');
  });
});
