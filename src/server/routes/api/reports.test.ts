import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../store/test-support/backends.js";
import { openApiTestApp, OTHER_EMAIL, seedSuggestions, type ApiTestApp } from "./test-support/api-app.js";
import { TEST_EMAIL } from "../../test-support/app.js";

interface Report {
  rows: { personId: number; person: string; day: string; issueKey: string | null; project: string | null; seconds: number; hours: number }[];
  summary: { people: number; totalSeconds: number; linkedSeconds: number; secondsByProject: { project: string; seconds: number }[] };
}

const RANGE = "from=2025-03-10&to=2025-03-12";

describe.each(BACKENDS)("report route on %s", (backend) => {
  let t: ApiTestApp;

  beforeEach(async () => {
    t = await openApiTestApp(backend);
    await seedSuggestions(t.base.handle.store);
  });
  afterEach(async () => {
    await t.close();
  });

  it("admin report covers everyone", async () => {
    const response = await t.as("admin", { url: `/reports/worklogs?${RANGE}` });
    expect(response.statusCode).toBe(200);
    const report = response.json<{ data: Report }>().data;
    expect(report.rows.map((r) => [r.personId, r.day, r.issueKey, r.seconds, r.hours])).toEqual([
      [t.devId, "2025-03-10", "PROJ-1", 7200, 2],
      [t.otherId, "2025-03-10", "PROJ-2", 5400, 1.5],
      [t.devId, "2025-03-11", "PROJ-1", 3600, 1],
    ]);
    expect(report.summary).toMatchObject({ people: 2, totalSeconds: 16200, linkedSeconds: 16200, secondsByProject: [{ project: "PROJ", seconds: 16200 }] });
  });

  it("person report covers own rows", async () => {
    const response = await t.as("other", { url: `/reports/worklogs?${RANGE}` });
    const report = response.json<{ data: Report }>().data;
    expect(report.rows.map((r) => r.personId)).toEqual([t.otherId]);
    expect(report.summary.totalSeconds).toBe(5400);
  });

  it("names people without e-mail addresses", async () => {
    const response = await t.as("admin", { url: `/reports/worklogs?${RANGE}` });
    const report = response.json<{ data: Report }>().data;
    expect(report.rows.map((r) => r.person)).toEqual([`person ${String(t.devId)}`, `person ${String(t.otherId)}`, `person ${String(t.devId)}`]);
    expect(response.body).not.toContain(TEST_EMAIL);
    expect(response.body).not.toContain(OTHER_EMAIL);
  });

  it("CSV report has the CSV content type", async () => {
    const response = await t.as("dev", { url: `/reports/worklogs?${RANGE}&format=csv` });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe('attachment; filename="worklogs-2025-03-10-2025-03-12.csv"');
    const lines = response.body.trimEnd().split("\n");
    expect(lines[0]).toBe("person_id,person,day,issue_key,project,seconds,hours,confidence,evidence");
    expect(lines.slice(1).map((line) => line.split(",").slice(0, 7).join(","))).toEqual([
      `${String(t.devId)},person ${String(t.devId)},2025-03-10,PROJ-1,PROJ,7200,2.00`,
      `${String(t.devId)},person ${String(t.devId)},2025-03-11,PROJ-1,PROJ,3600,1.00`,
    ]);
  });

  it("rejects an unknown format", async () => {
    const response = await t.as("admin", { url: `/reports/worklogs?${RANGE}&format=xlsx` });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toBe('invalid request: query.format: invalid_value (Invalid option: expected one of "json"|"csv")');
  });
});
