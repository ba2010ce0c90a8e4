import { describe, expect, it } from "vitest";
import { classifyEvent, type EventFacts } from "./classify.js";

function facts(overrides: Partial<EventFacts>): EventFacts {
  return {
    title: "Sync",
    status: undefined,
    transparency: undefined,
    busyStatus: undefined,
    classification: undefined,
    personStatus: undefined,
    ...overrides,
  };
}

describe("classifyEvent", () => {
  it.each([
    ["a plain busy event", {}, "meeting"],
    ["busy status OOF", { title: "Conference", busyStatus: "OOF" }, "out_of_office"],
    ["OOO in the title", { title: "OOO - dentist" }, "out_of_office"],
    ["out of office in any case", { title: "Out Of Office" }, "out_of_office"],
    ["a free holiday", { title: "Public holiday", transparency: "TRANSPARENT" }, "out_of_office"],
    ["sick leave", { title: "Sick leave" }, "out_of_office"],
    ["PTO", { title: "PTO (half day)" }, "out_of_office"],
    ["a German absence", { title: "Urlaub" }, "out_of_office"],
    ["a French absence", { title: "Congé" }, "out_of_office"],
    ["focus time", { title: "Focus time" }, "focus"],
    ["free focus time", { title: "Focus time", busyStatus: "FREE" }, "focus"],
    ["deep work", { title: "Deep work: PROJ-12" }, "focus"],
    ["no meetings", { title: "No meetings please" }, "focus"],
    ["heads-down", { title: "heads down on migration" }, "focus"],
    ["a tentative meeting", { title: "Planning", status: "TENTATIVE" }, "meeting"],
    ["an accepted meeting", { title: "Planning", personStatus: "ACCEPTED" }, "meeting"],
  ])("gives %s its kind", (_name, overrides, kind) => {
    const result = classifyEvent(facts(overrides));

    expect(result).toEqual({ kind, keepText: true });
  });

  it.each([
    ["a cancelled event", { status: "CANCELLED", busyStatus: "OOF" }, "CANCELLED"],
    ["a declined event", { personStatus: "DECLINED" }, "declined"],
    ["a free event", { title: "Lunch", transparency: "TRANSPARENT" }, "free"],
    ["busy status FREE", { title: "FYI: release", busyStatus: "FREE" }, "free"],
    ["working elsewhere", { title: "Home office", busyStatus: "WORKINGELSEWHERE" }, "free"],
  ])("skips %s", (_name, overrides, reason) => {
    const result = classifyEvent(facts(overrides));

    expect(result).toHaveProperty("skip");
    expect("skip" in result ? result.skip : "").toContain(reason);
  });

  it.each([
    ["words inside other words", "Shooting schedule"],
    ["holiday inside a word", "Holidayinn booking"],
    ["focus inside a word", "Refocusing review"],
  ])("ignores %s", (_name, title) => {
    expect(classifyEvent(facts({ title }))).toEqual({ kind: "meeting", keepText: true });
  });

  it("hides the text of private and confidential events", () => {
    expect(classifyEvent(facts({ classification: "PRIVATE" }))).toEqual({ kind: "meeting", keepText: false });
    expect(classifyEvent(facts({ classification: "confidential", title: "Vacation" }))).toEqual({ kind: "out_of_office", keepText: false });
    expect(classifyEvent(facts({ classification: "PUBLIC" }))).toEqual({ kind: "meeting", keepText: true });
  });
});
