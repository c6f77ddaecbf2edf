/** What an invoke is billed and reported as: the figures of its REPORT line, and the InvokeReport its caller gets. */
import type { InvokeReport } from "../contract.js";
import { type ReportFields, reportLine } from "./logs.js";

/** Billed Duration: rounded up to the millisecond; container-image functions are billed for their init too. */
export function billedDurationMs(durationMs: number, initDurationMs: number | undefined): number {
  return Math.ceil(durationMs + (initDurationMs ?? 0));
}

/** The report of an invoke that is over, with its REPORT line. */
export function finalReport(fields: ReportFields): InvokeReport {
  const { initDurationMs } = fields;
  return {
    requestId: fields.requestId,
    ...(initDurationMs === undefined ? {} : { initDurationMs }),
    durationMs: fields.durationMs,
    billedDurationMs: fields.billedDurationMs,
    memorySizeMb: fields.memorySizeMb,
    maxMemoryUsedMb: fields.maxMemoryUsedMb,
    reportLine: reportLine(fields),
  };
}
