import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatElapsed, Progress } from "./progress.js";

function capture(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 60, write: (text: string) => writes.push(text), writes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Progress", () => {
  it("formats elapsed time in seconds, then minutes", () => {
    expect(formatElapsed(999)).toBe("0 s");
    expect(formatElapsed(42_400)).toBe("42 s");
    expect(formatElapsed(185_000)).toBe("3 min 05 s");
  });

  it("plain lines outside a terminal: one per new step, and a heartbeat while a step takes long", () => {
    const out = capture(false);
    const progress = new Progress(out, { heartbeatMs: 30_000, now: () => Date.now() });
    progress.start("hello:aws-base");
    vi.advanceTimersByTime(2_000);
    progress.step("step 1/3 FROM base");
    progress.step("step 1/3 FROM base");
    vi.advanceTimersByTime(3_000);
    progress.step("step 2/3 RUN npm ci");
    vi.advanceTimersByTime(65_000);
    progress.end();
    progress.print("built");
    expect(out.writes.join("")).toBe(
      "  hello:aws-base: step 1/3 FROM base (2 s)\n" +
        "  hello:aws-base: step 2/3 RUN npm ci (5 s)\n" +
        "  hello:aws-base: still at step 2/3 RUN npm ci (35 s)\n" +
        "  hello:aws-base: still at step 2/3 RUN npm ci (1 min 05 s)\n" +
        "built\n",
    );
    // No terminal control codes in a log.
    expect(out.writes.join("")).not.toContain("\x1b");
  });

  it("one live line on a terminal: redrawn every second, kept under other output, cleared at the end", () => {
    const out = capture(true);
    const progress = new Progress(out, { now: () => Date.now() });
    progress.start("hello:aws-base");
    progress.step("step 2/3 RUN npm ci");
    vi.advanceTimersByTime(3_000);
    expect(out.writes.at(-1)).toBe("\r\x1b[K  hello:aws-base: step 2/3 RUN npm ci 3 s");
    progress.print("a line of output");
    expect(out.writes.slice(-3)).toEqual([
      "\r\x1b[K",
      "a line of output\n",
      "\r\x1b[K  hello:aws-base: step 2/3 RUN npm ci 3 s",
    ]);
    progress.step(`step 3/3 ${"RUN echo ".repeat(20)}`);
    expect(out.writes.at(-1)?.length).toBeLessThanOrEqual(3 + 60);
    expect(out.writes.at(-1)).toContain("…");
    progress.end();
    expect(out.writes.at(-1)).toBe("\r\x1b[K");
    const count = out.writes.length;
    vi.advanceTimersByTime(5_000);
    expect(out.writes.length).toBe(count);
  });
});
