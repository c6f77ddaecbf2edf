/** Log lines: a runtime's output split into lines, the platform's START/END/REPORT lines, the log tail. */
import { finished } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { LIMITS } from "../contract.js";
import type { RuntimeExit, RuntimeProcess } from "./runners/runner.js";

/**
 * Splits a byte stream into lines; a line is complete at `\n`. A UTF-8 character cut between two chunks is decoded
 * whole (a pipe hands over 64 KiB at a time, wherever that falls).
 */
export class LineSplitter {
  #partial = "";
  readonly #decoder = new StringDecoder("utf8");
  readonly #emit: (line: string) => void;

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  push(chunk: Buffer | string): void {
    const text = this.#partial + (typeof chunk === "string" ? chunk : this.#decoder.write(chunk));
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#emit(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  /** Emits what is left (output that did not end with a newline). */
  flush(): void {
    this.#partial += this.#decoder.end();
    if (this.#partial.length > 0) this.#emit(this.#partial);
    this.#partial = "";
  }
}

/**
 * Logs a runtime's stdout and stderr line by line. When it exits, `onExit` runs once its last output is logged (both
 * pipes closed, or 200 ms passed), so that output belongs to the invoke it ends.
 */
export function logRuntimeOutput(
  child: RuntimeProcess,
  log: (line: string) => void,
  onExit: (exit: RuntimeExit) => void,
): void {
  const stdout = new LineSplitter(log);
  const stderr = new LineSplitter(log);
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const outputClosed = Promise.all([
    finished(child.stdout).catch(() => undefined),
    finished(child.stderr).catch(() => undefined),
  ]);
  void child.exited.then(async (exit) => {
    await Promise.race([outputClosed, delay(200)]);
    stdout.flush();
    stderr.flush();
    onExit(exit);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The RIC writes a multi-line message as one line with `\r` between its lines (CloudWatch shows them as lines).
 * A terminal would overwrite them, so they are shown as separate lines.
 */
export function displayLines(line: string): string[] {
  return line.split("\r");
}

/** Keeps the last `limit` bytes of what it is given. */
export class LogTail {
  #text = "";
  readonly #limit: number;

  constructor(limit: number = LIMITS.logTailBytes) {
    this.#limit = limit;
  }

  append(line: string): void {
    this.#text += `${line}\n`;
    if (this.#text.length > this.#limit * 4) this.#text = this.#text.slice(-this.#limit * 2);
  }

  /** The last `limit` bytes as UTF-8 (a character cut in half at the start is dropped). */
  toString(): string {
    const bytes = Buffer.from(this.#text, "utf8");
    if (bytes.length <= this.#limit) return this.#text;
    let start = bytes.length - this.#limit;
    // Skip UTF-8 continuation bytes so the tail starts on a character boundary.
    while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
    return bytes.subarray(start).toString("utf8");
  }
}

/** How an invoke or an init failed: "timeout", or "error" with an error type (runtime failures, not handler errors). */
export type FailureStatus =
  | { readonly kind: "timeout" }
  | { readonly kind: "error"; readonly errorType: string };

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  readonly status?: FailureStatus;
}

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** Lambda's REPORT line: Init Duration after Max Memory Used, then the status of a failed invoke. */
export function reportLine(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${fields.billedDurationMs} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMb} MB`,
  ];
  if (fields.initDurationMs !== undefined)
    parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  if (fields.status !== undefined) parts.push(...statusParts(fields.status));
  return parts.join("\t");
}

function statusParts(status: FailureStatus): string[] {
  return status.kind === "timeout"
    ? ["Status: timeout"]
    : ["Status: error", `Error Type: ${status.errorType}`];
}

/**
 * Lambda's line for a failed init phase: `INIT_REPORT Init Duration: X ms\tPhase: init\tStatus: error\tError Type: T`,
 * or `…\tStatus: timeout` when the init ran past Lambda's init limit.
 */
export function initReportLine(initDurationMs: number, status: FailureStatus): string {
  return [
    `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms`,
    "Phase: init",
    ...statusParts(status),
  ].join("\t");
}
