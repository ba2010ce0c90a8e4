import { createRequire } from "node:module";
import { z } from "zod";
import { offsetZoneName, resolveZone } from "../../domain/time.js";
import { firstProperty, type Component } from "./components.js";
import { licLocation, matchVTimezone, standardOffset } from "./vtimezone.js";

/** A time zone as the ICS importer uses it. */
export interface CalendarZone {
  /** Name stored on activities: an IANA name, "UTC", or a fixed offset such as "UTC+05:30". */
  name: string;
  /**
   * TZID handed to node-ical: the IANA name, or "GMT+0530" for a fixed offset,
   * because node-ical 0.26 cannot read a TZID parameter that contains a colon.
   */
  tzid: string;
}

export const UTC_ZONE: CalendarZone = { name: "UTC", tzid: "UTC" };

/** Largest fixed offset accepted, in minutes. Real zones span -12 to +14 hours, so an offset past 18 hours is a typo. */
const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * Windows zone names ("Pacific Standard Time", "(UTC+01:00) Amsterdam, Berlin, ...")
 * to IANA names, from the CLDR-derived table that node-ical ships. Read through
 * require because node-ical is CommonJS and publishes the file without an exports map.
 */
const WINDOWS_ZONES = z.record(z.string(), z.object({ iana: z.array(z.string()).min(1) }));
const windowsTable = WINDOWS_ZONES.parse(createRequire(import.meta.url)("node-ical/windowsZones.json"));
const windowsIndex = buildWindowsIndex(windowsTable);

/** IANA zones the Windows table names, tried first when matching a VTIMEZONE's rules. */
export const PREFERRED_ZONES: readonly string[] = [...new Set(Object.values(windowsTable).flatMap((entry) => entry.iana))];

/**
 * Resolve a TZID or X-WR-TIMEZONE by name: an IANA name in any case, "UTC", a fixed
 * offset ("+01:00", "GMT+0100"), an IANA name behind a vendor prefix
 * ("/mozilla.org/20050126_1/Europe/Berlin"), or a Windows zone name.
 */
export function zoneByName(raw: string): CalendarZone | undefined {
  const name = raw.trim().replace(/^"(.*)"$/, "$1").trim();
  if (name === "") return undefined;

  const direct = fromDomainZone(name);
  if (direct) return direct;

  // Vendor prefixes end in a path whose tail is the IANA name.
  const segments = name.split("/");
  for (let i = 1; i < segments.length - 1; i += 1) {
    const tail = fromDomainZone(segments.slice(i).join("/"));
    if (tail) return tail;
  }

  const windows = windowsIndex.get(normalizeLabel(name)) ?? windowsIndex.get(normalizeLabel(stripOffsetPrefix(name)));
  return windows === undefined ? undefined : fromDomainZone(windows);
}

/**
 * Resolves each TZID of one file once: by name, else by matching the file's VTIMEZONE
 * block of that TZID against IANA zones, else the calendar's default zone with a warning.
 */
export class ZoneResolver {
  private readonly cache = new Map<string, CalendarZone>();
  private readonly blocks = new Map<string, Component>();

  constructor(
    timezones: readonly Component[],
    private readonly fallback: CalendarZone,
    private readonly file: string,
    private readonly warnings: string[],
  ) {
    for (const block of timezones) {
      const tzid = firstProperty(block, "TZID")?.value.trim();
      if (tzid !== undefined) this.blocks.set(tzid, block);
    }
  }

  /** Resolve a TZID to a zone. `year` picks the rules that a VTIMEZONE is matched against. */
  resolve(tzid: string, year: number): CalendarZone {
    const key = tzid.trim();
    const cached = this.cache.get(key);
    if (cached) return cached;

    const zone = this.lookup(key, year);
    this.cache.set(key, zone);
    return zone;
  }

  private lookup(tzid: string, year: number): CalendarZone {
    const named = zoneByName(tzid);
    if (named) return named;

    const block = this.blocks.get(tzid);
    if (block === undefined) {
      this.warnings.push(
        `${this.file}: unknown time zone TZID "${tzid}" and no VTIMEZONE block defines it; its times were read in ${this.fallback.name}, ` +
          `the calendar's default zone. Export the calendar with IANA zone names, or set the default zone to the one it uses.`,
      );
      return this.fallback;
    }

    const location = licLocation(block);
    const located = location === undefined ? undefined : zoneByName(location);
    if (located) return located;

    const matched = matchVTimezone(block, year, PREFERRED_ZONES);
    const zone = matched === undefined ? undefined : zoneByName(matched);
    if (zone) return zone;

    const offset = standardOffset(block) ?? 0;
    const fixed = fixedOffsetZone(offset);
    // NOTE: a fixed offset is wrong by the DST difference for the part of the year the VTIMEZONE observes daylight time.
    this.warnings.push(
      `${this.file}: the VTIMEZONE "${tzid}" matches no IANA zone in ${year}; its times were read at its standard offset ${fixed.name}, ` +
        `so times in its daylight-saving period may be off by the DST difference. Export the calendar with IANA zone names.`,
    );
    return fixed;
  }
}

function fromDomainZone(name: string): CalendarZone | undefined {
  const zone = resolveZone(name);
  if (zone === undefined) return undefined;
  if (zone.type === "fixed") {
    const offset = zone.offset(0);
    return Math.abs(offset) <= MAX_OFFSET_MINUTES ? fixedOffsetZone(offset) : undefined;
  }

  // Keep the name as written (Intl would turn "Asia/Kolkata" into the older "Asia/Calcutta"), only fixing its case.
  const lower = name.toLowerCase();
  if (UTC_ALIASES.has(lower)) return UTC_ZONE;
  const spelled = knownSpellings().get(lower) ?? name;
  return { name: spelled, tzid: spelled };
}

const UTC_ALIASES = new Set(["etc/utc", "etc/uct", "uct", "etc/gmt", "etc/gmt0", "etc/gmt+0", "etc/gmt-0", "gmt0", "etc/universal", "universal", "etc/zulu", "zulu", "etc/greenwich", "greenwich"]);

let spellings: Map<string, string> | undefined;

/** IANA names the runtime lists, by lower-case name. */
function knownSpellings(): Map<string, string> {
  spellings ??= new Map(Intl.supportedValuesOf("timeZone").map((name) => [name.toLowerCase(), name]));
  return spellings;
}

function fixedOffsetZone(offsetMinutes: number): CalendarZone {
  if (offsetMinutes === 0) return UTC_ZONE;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const digits = `${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  return { name: offsetZoneName(offsetMinutes), tzid: `GMT${sign}${digits}` };
}

function buildWindowsIndex(table: Record<string, { iana: string[] }>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [label, entry] of Object.entries(table)) {
    const iana = entry.iana[0];
    if (iana === undefined) continue;
    for (const variant of [label, stripOffsetPrefix(label)]) {
      const key = normalizeLabel(variant);
      if (!index.has(key)) index.set(key, iana);
    }
  }
  return index;
}

function normalizeLabel(label: string): string {
  return label.replace(/\s+/g, " ").trim().toLowerCase();
}

/** "(UTC+01:00) Amsterdam, Berlin" to "Amsterdam, Berlin". */
function stripOffsetPrefix(label: string): string {
  return label.replace(/^\((?:UTC|GMT)[^)]*\)\s*/i, "");
}
