import { describe, expect, it } from "vitest";
import {
  CSV_HEADER,
  DEFAULT_ROWS,
  DEFAULT_SEED,
  MAX_ROWS,
  parseReportRequest,
  type ReportRequest,
  type ReportRequestResult,
  ROWS_PER_CHUNK,
  reportChunks,
  reportFileName,
} from "./report.js";

function requestOf(result: ReportRequestResult): ReportRequest {
  if (!result.ok) throw new Error(`expected a request, got "${result.error}"`);
  return result.request;
}

function errorOf(result: ReportRequestResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.request)}`);
  return result.error;
}

const csvLines = (text: string): string[] => text.split("\n").filter((line) => line.length > 0);

describe("parseReportRequest", () => {
  it("defaults to 10,000 rows and seed 1", () => {
    expect(DEFAULT_ROWS).toBe(10_000);
    for (const query of [undefined, {}, { rows: "", seed: " " }]) {
      expect(requestOf(parseReportRequest(query))).toEqual({ rows: DEFAULT_ROWS, seed: DEFAULT_SEED });
    }
  });

  it("reads rows and seed, trimming spaces", () => {
    expect(requestOf(parseReportRequest({ rows: " 250 ", seed: "42" }))).toEqual({ rows: 250, seed: 42 });
  });

  it(`accepts 1 to ${MAX_ROWS} rows and refuses what is outside`, () => {
    expect(requestOf(parseReportRequest({ rows: "1" })).rows).toBe(1);
    expect(requestOf(parseReportRequest({ rows: String(MAX_ROWS) })).rows).toBe(MAX_ROWS);
    expect(errorOf(parseReportRequest({ rows: "0" }))).toBe(
      'Query parameter "rows" is 0; it must be from 1 to 1000000.',
    );
    expect(errorOf(parseReportRequest({ rows: String(MAX_ROWS + 1) }))).toBe(
      'Query parameter "rows" is 1000001; it must be from 1 to 1000000.',
    );
  });

  it("refuses anything but plain digits, quoting what it got", () => {
    for (const rows of ["ten", "-5", "1e3", "2.5", "0x10", "10 000"]) {
      expect(errorOf(parseReportRequest({ rows }))).toBe(
        `Query parameter "rows" must be a whole number from 1 to 1000000, not "${rows}".`,
      );
    }
    expect(errorOf(parseReportRequest({ seed: "abc" }))).toMatch(
      /^Query parameter "seed" must be a whole number/,
    );
    expect(errorOf(parseReportRequest({ seed: String(2 ** 32) }))).toMatch(
      /"seed" is 4294967296; it must be/,
    );
  });
});

describe("reportChunks", () => {
  it("starts with the header, then exactly the rows asked for", () => {
    const text = [...reportChunks({ rows: 2_345, seed: 7 })].join("");
    expect(text.startsWith(CSV_HEADER)).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
    expect(csvLines(text)).toHaveLength(2_345 + 1);
  });

  it(`yields ${ROWS_PER_CHUNK} rows per chunk (the header rides with the first), built lazily`, () => {
    const chunks = [...reportChunks({ rows: 2_345, seed: 7 })];
    expect(chunks.map((chunk) => csvLines(chunk).length)).toEqual([1_001, 1_000, 345]);
    expect([...reportChunks({ rows: 2_000, seed: 7 })].map((chunk) => csvLines(chunk).length)).toEqual([
      1_001, 1_000,
    ]);
    expect([...reportChunks({ rows: 3, seed: 7 }, 1)].map((chunk) => csvLines(chunk).length)).toEqual([
      2, 1, 1,
    ]);
    const lazy = reportChunks({ rows: MAX_ROWS, seed: 7 });
    expect(csvLines(String(lazy.next().value))).toHaveLength(ROWS_PER_CHUNK + 1);
  });

  it("writes consistent rows: six fields, revenue = units x unit price, dates in 2026 in order", () => {
    const rows = csvLines([...reportChunks({ rows: 1_500, seed: 3 })].join("")).slice(1);
    let previousDate = "";
    for (const row of rows) {
      const [date, region, product, units, unitPrice, revenue, ...rest] = row.split(",");
      expect(rest).toEqual([]);
      expect(date).toMatch(/^2026-\d\d-\d\d$/);
      expect(String(date) >= previousDate).toBe(true);
      previousDate = String(date);
      expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      expect(product).toMatch(/^[a-z0-9-]+$/);
      expect(Number(units)).toBeGreaterThanOrEqual(1);
      expect(Number(units)).toBeLessThanOrEqual(50);
      expect(Number(revenue)).toBe(Number(units) * Number(unitPrice));
    }
    expect(rows[0]?.startsWith("2026-01-01,")).toBe(true);
    expect(rows.at(-1)?.startsWith("2026-12-31,")).toBe(true);
  });

  it("gives the same report for the same seed and a different one for another seed", () => {
    const report = (seed: number) => [...reportChunks({ rows: 500, seed })].join("");
    expect(report(42)).toBe(report(42));
    expect(report(42)).not.toBe(report(43));
  });

  it("refuses a chunk size that is not a positive whole number", () => {
    expect(() => reportChunks({ rows: 1, seed: 1 }, 0).next()).toThrow(
      "rowsPerChunk must be a positive whole number, not 0.",
    );
  });
});

describe("reportFileName", () => {
  it("names the rows and the seed", () => {
    expect(reportFileName({ rows: 1_000, seed: 42 })).toBe("sales-report-1000-rows-seed-42.csv");
  });
});
