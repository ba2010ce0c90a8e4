import { DateTime } from "luxon";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, heartbeatSegments, totalDuration } from "../../allocation/heartbeat-sessions.js";
import { dayOf, nextDay, resolveZone, startOfDay } from "../../domain/time.js";
import type { Store } from "../../store/store.js";

/** Duration in the fields WakaTime's summaries use; `text` is what the editor's status bar shows. */
export interface DurationSummary {
  decimal: string;
  digital: string;
  hours: number;
  minutes: number;
  text: string;
  total_seconds: number;
}

/**
 * Body of GET /users/current/statusbar/today. wakatime-cli decodes it into its
 * summary type and prints `data.grand_total.text`. The lists are present but empty,
 * because worklens does not break today down by category, editor or language.
 */
export interface StatusBarBody {
  data: {
    grand_total: DurationSummary;
    categories: [];
    dependencies: [];
    editors: [];
    languages: [];
    machines: [];
    operating_systems: [];
    projects: [];
    range: { date: string; start: string; end: string; text: string; timezone: string };
  };
}

/**
 * Time coded today in the person's zone (UTC when none is set), counted from their
 * heartbeats on every machine with the heartbeat-segments rule and WakaTime's
 * default 15-minute timeout.
 */
export async function statusBarToday(store: Store, personId: number, personZone: string | null, now: number): Promise<StatusBarBody> {
  const zone = personZone !== null && resolveZone(personZone) !== undefined ? personZone : "UTC";
  const day = dayOf(now, zone);
  const start = startOfDay(day, zone);
  const end = startOfDay(nextDay(day), zone);

  const beats = await store.activities.list({ personId, source: "wakatime", from: start - 1, to: end });
  const points = beats
    .filter((beat) => beat.kind === "ide_heartbeat" && beat.startAt >= start && beat.startAt < end)
    .map((beat) => ({ at: beat.startAt, label: null, machine: beat.machine }));
  const seconds = totalDuration(heartbeatSegments(points, DEFAULT_HEARTBEAT_TIMEOUT_MS)) / 1000;

  return {
    data: {
      grand_total: summarizeDuration(seconds),
      categories: [],
      dependencies: [],
      editors: [],
      languages: [],
      machines: [],
      operating_systems: [],
      projects: [],
      range: {
        date: day,
        start: new Date(start).toISOString(),
        end: new Date(end - 1000).toISOString(),
        text: DateTime.fromISO(day, { zone: "UTC" }).toFormat("ccc LLL d yyyy"),
        timezone: zone,
      },
    },
  };
}

/** Format seconds the way WakaTime's status bar does: "2 hrs 17 mins", "1 hr 5 mins", "49 mins", "7 secs". */
export function summarizeDuration(totalSeconds: number): DurationSummary {
  const whole = Math.floor(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;

  let text: string;
  if (hours > 0) text = minutes > 0 ? `${plural(hours, "hr")} ${plural(minutes, "min")}` : plural(hours, "hr");
  else if (minutes > 0) text = plural(minutes, "min");
  else text = plural(seconds, "sec");

  return {
    decimal: (whole / 3600).toFixed(2),
    digital: `${hours}:${String(minutes).padStart(2, "0")}`,
    hours,
    minutes,
    text,
    total_seconds: totalSeconds,
  };
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}
