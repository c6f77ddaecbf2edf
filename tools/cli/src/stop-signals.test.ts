import { afterEach, describe, expect, test } from "vitest";
import { listenForStop, type StopSignals } from "./stop-signals.js";

// The listeners' logic, driven with process.emit (the commands' own tests send real signals to real processes).
describe("listenForStop", () => {
  let listening: StopSignals | undefined;
  afterEach(() => listening?.close());

  const listen = (expectCopy: boolean) => {
    const again: NodeJS.Signals[] = [];
    listening = listenForStop({ again: (signal) => again.push(signal), expectCopy });
    return { again, first: listening.first };
  };

  test("the first signal resolves first; each later one is a second press", async () => {
    const { again, first } = listen(false);
    process.emit("SIGTERM", "SIGTERM");
    expect(await first).toBe("SIGTERM");
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGINT", "SIGINT");
    expect(again).toEqual(["SIGTERM", "SIGINT"]);
  });

  test("under a package manager, the first repeat of the same signal is its copy, not a second press", async () => {
    const { again, first } = listen(true);
    process.emit("SIGINT", "SIGINT");
    expect(await first).toBe("SIGINT");
    process.emit("SIGINT", "SIGINT");
    expect(again).toEqual([]);
    process.emit("SIGINT", "SIGINT");
    expect(again).toEqual(["SIGINT"]);
  });

  test("a different signal after the first is never taken for the copy", async () => {
    const { again, first } = listen(true);
    process.emit("SIGINT", "SIGINT");
    await first;
    process.emit("SIGTERM", "SIGTERM");
    expect(again).toEqual(["SIGTERM"]);
  });

  test("stays installed after the first signal, until close", async () => {
    const before = process.listenerCount("SIGINT");
    const { first } = listen(false);
    process.emit("SIGINT", "SIGINT");
    await first;
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    expect(process.listenerCount("SIGTERM")).toBeGreaterThan(0);
    await listening?.close();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  test("under a package manager, close waits for its copy of the Ctrl+C before it stops listening", async () => {
    const before = process.listenerCount("SIGINT");
    const { first } = listen(true);
    process.emit("SIGINT", "SIGINT");
    await first;
    let closed = false;
    const closing = listening?.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    process.emit("SIGINT", "SIGINT");
    await closing;
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
