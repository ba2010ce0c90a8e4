import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorklensError } from "../../domain/errors.js";
import { BACKENDS, openTestStore, type TestStore } from "../../store/test-support/backends.js";
import { importIcs } from "./import.js";
import { PERSON, calendar, vevent } from "./test-support/calendar.js";

const WINDOW = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1) };

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "worklens-ics-"));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function writeCalendar(name: string, bytes: Buffer): string {
  const file = join(folder, name);
  writeFileSync(file, bytes);
  return file;
}

const WEEK = calendar([
  vevent("UID:sync", "DTSTART;TZID=Europe/Berlin:20250303T100000", "DTEND;TZID=Europe/Berlin:20250303T103000", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Sync on PROJ-7"),
  vevent("UID:late", "DTSTART;TZID=America/New_York:20250310T230000", "DTEND;TZID=America/New_York:20250311T013000", "SUMMARY:Late deploy"),
  vevent("UID:broken", "DTSTART:20250312T100000Z", "DTEND:20250312T090000Z", "SUMMARY:Broken"),
  vevent("UID:away", "DTSTART;VALUE=DATE:20250313", "DTEND;VALUE=DATE:20250315", "SUMMARY:PTO"),
]);

describe.each(BACKENDS)("importIcs on %s", (backend) => {
  let handle: TestStore;
  beforeEach(async () => {
    handle = await openTestStore(backend);
  });
  afterEach(async () => {
    await handle.dispose();
  });

  it("same calendar counts for each owner", async () => {
    const file = writeCalendar(`shared-${backend}.ics`, WEEK);
    const other = { source: "ics" as const, externalId: "bob@example.com", email: "bob@example.com" };

    const first = await importIcs(handle.store, file, { person: PERSON, ...WINDOW });
    const second = await importIcs(handle.store, file, { person: other, ...WINDOW });

    expect(second.imported).toBe(first.imported);
    expect(second.duplicate).toBe(0);
    const people = new Set((await handle.store.activities.list()).map((a) => a.personId));
    expect(people.size).toBe(2);
  });

  it("re-import adds nothing", async () => {
    const file = writeCalendar(`reimport-${backend}.ics`, WEEK);

    const first = await importIcs(handle.store, file, { person: PERSON, ...WINDOW });
    const second = await importIcs(handle.store, file, { person: PERSON, ...WINDOW });

    // 3 weekly syncs, 2 day slices of the late deploy, 2 days of PTO.
    expect(first.imported).toBe(7);
    expect(first.duplicate).toBe(0);
    expect(second.imported).toBe(0);
    expect(second.duplicate).toBe(7);
    expect(await handle.store.activities.count()).toBe(7);
  });

  it("skips a bad event and stores the good ones", async () => {
    const file = writeCalendar(`partial-${backend}.ics`, WEEK);

    const report = await importIcs(handle.store, file, { person: PERSON, ...WINDOW });

    expect(report.source).toBe("ics");
    expect(report.file).toBe(file);
    expect(report.skipped).toEqual([{ record: "event broken (line 19)", reason: "its DTEND is before its DTSTART: fix the event's times" }]);
    const stored = await handle.store.activities.list();
    expect(stored.map((activity) => activity.kind).sort()).toEqual(["meeting", "meeting", "meeting", "meeting", "meeting", "out_of_office", "out_of_office"]);
    const away = stored.filter((activity) => activity.dateOnly);
    expect(away.map((activity) => activity.localDate)).toEqual(["2025-03-13", "2025-03-14"]);
    const sync = stored.find((activity) => activity.startAt === Date.UTC(2025, 2, 3, 9));
    expect(sync?.explicitKeys).toEqual(["PROJ-7"]);
    expect(sync?.tz).toBe("Europe/Berlin");
    const texts = await handle.store.activities.texts([sync?.id ?? -1]);
    expect(texts.get(sync?.id ?? -1)?.title).toBe("Sync on PROJ-7");
  });

  it("reports a missing file as not found", async () => {
    const missing = join(folder, `missing-${backend}.ics`);

    const error = await importIcs(handle.store, missing, { person: PERSON }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("NOT_FOUND");
    expect((error as WorklensError).message).toContain(missing);
    expect(await handle.store.activities.count()).toBe(0);
  });

  it("rejects a file that is not a calendar", async () => {
    const file = writeCalendar(`notes-${backend}.ics`, Buffer.from("meeting notes\n"));

    const error = await importIcs(handle.store, file, { person: PERSON }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorklensError);
    expect((error as WorklensError).code).toBe("INVALID_INPUT");
    expect(await handle.store.activities.count()).toBe(0);
  });
});
