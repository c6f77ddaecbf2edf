import { describe, expect, test } from "vitest";
import { displayLines, initReportLine, LineSplitter, LogTail, reportLine } from "./logs.js";
import { exitError, timeoutError } from "./outcomes.js";

describe("LineSplitter", () => {
  test("decodes a UTF-8 character that a chunk boundary cuts in two", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from("café ☕\n");
    splitter.push(bytes.subarray(0, 4)); // "caf" and the first byte of "é"
    splitter.push(bytes.subarray(4, 7)); // the rest of "é", a space and the first byte of "☕"
    splitter.push(bytes.subarray(7));
    expect(lines).toEqual(["café ☕"]);
  });

  test("emits whole lines across chunks, drops the CR of CRLF, and flushes what is left", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push("one\ntw");
    splitter.push(Buffer.from("o\r\nthr"));
    expect(lines).toEqual(["one", "two"]);
    splitter.flush();
    expect(lines).toEqual(["one", "two", "thr"]);
  });

  test("shows the RIC's CR-joined multi-line messages as separate lines", () => {
    expect(displayLines("Error: boom\r    at a\r    at b")).toEqual(["Error: boom", "    at a", "    at b"]);
  });
});

describe("LogTail", () => {
  test("keeps the last bytes, starting on a character boundary", () => {
    const tail = new LogTail(10);
    tail.append("0123456789");
    tail.append("é€x");
    const text = tail.toString();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(10);
    expect(text.endsWith("é€x\n")).toBe(true);
    expect(text).not.toContain("\uFFFD");
  });
});

describe("platform lines", () => {
  test("REPORT puts Init Duration after Max Memory Used, then the status", () => {
    expect(
      reportLine({
        requestId: "r",
        durationMs: 4157.156,
        billedDurationMs: 4200,
        memorySizeMb: 256,
        maxMemoryUsedMb: 99,
        initDurationMs: 841.6,
        status: { kind: "error", errorType: "Runtime.ExitError" },
      }),
    ).toBe(
      "REPORT RequestId: r\tDuration: 4157.16 ms\tBilled Duration: 4200 ms\tMemory Size: 256 MB\tMax Memory Used: 99 MB\tInit Duration: 841.60 ms\tStatus: error\tError Type: Runtime.ExitError",
    );
    expect(
      reportLine({
        requestId: "r",
        durationMs: 3000,
        billedDurationMs: 3000,
        memorySizeMb: 128,
        maxMemoryUsedMb: 50,
        status: { kind: "timeout" },
      }),
    ).toBe(
      "REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout",
    );
    expect(initReportLine(12.345, { kind: "error", errorType: "Runtime.Unknown" })).toBe(
      "INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.Unknown",
    );
    expect(initReportLine(10_000, { kind: "timeout" })).toBe(
      "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout",
    );
  });

  test("timeouts and exits are worded as Lambda words them", () => {
    expect(timeoutError("id", 3).errorMessage).toBe("RequestId: id Error: Task timed out after 3.00 seconds");
    expect(exitError("id", { code: null, signal: "SIGSEGV" }).errorMessage).toBe(
      "RequestId: id Error: Runtime exited with error: signal: segmentation fault",
    );
    expect(exitError("id", { code: null, signal: "SIGUSR1" }).errorMessage).toBe(
      "RequestId: id Error: Runtime exited with error: signal: usr1",
    );
  });
});
