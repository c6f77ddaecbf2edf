import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { callHandler, createFunction, isolateBundle, removeFixtures } from "../test/support/fixture.js";
import { type BuildOutcome, type FunctionWatcher, watchFunction } from "./index.js";

afterAll(removeFixtures);

/** Collects watch outcomes in order and hands them out one at a time. */
function outcomeQueue() {
  const ready: BuildOutcome[] = [];
  const waiting: ((outcome: BuildOutcome) => void)[] = [];
  return {
    push(outcome: BuildOutcome) {
      const waiter = waiting.shift();
      if (waiter) waiter(outcome);
      else ready.push(outcome);
    },
    next(): Promise<BuildOutcome> {
      const outcome = ready.shift();
      if (outcome) return Promise.resolve(outcome);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Replaces a file in one step, so the watcher never sees it half written. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const source = (message: string) => `export const handler = async () => ${JSON.stringify(message)};\n`;

let watcher: FunctionWatcher | undefined;
afterEach(async () => {
  await watcher?.dispose();
  watcher = undefined;
});

describe("watchFunction", () => {
  it("rebuilds on every change, reports errors and keeps watching", async () => {
    const fn = createFunction("watched", { files: { "src/index.ts": source("first") } });
    const entry = join(fn.dir, "src", "index.ts");
    const outcomes = outcomeQueue();
    watcher = await watchFunction(fn, (outcome) => outcomes.push(outcome));

    const first = await outcomes.next();
    expect(first.ok).toBe(true);
    expect((await callHandler(isolateBundle(fn), "handler")).result).toBe("first");

    replaceFile(entry, source("second"));
    const second = await outcomes.next();
    expect(second.ok && second.report.exports).toEqual(["handler"]);
    expect((await callHandler(isolateBundle(fn), "handler")).result).toBe("second");
    const goodBundle = readFileSync(fn.bundle, "utf8");

    replaceFile(entry, "export const handler = async () => {\n");
    const broken = await outcomes.next();
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error.message).toContain("functions/watched: esbuild failed with 1 error:");
    expect(readFileSync(fn.bundle, "utf8")).toBe(goodBundle);

    replaceFile(entry, "export const main = async () => 1;\n");
    const renamed = await outcomes.next();
    expect(!renamed.ok && renamed.error.message).toContain('its exports are: "main"');

    replaceFile(entry, source("third"));
    const fixed = await outcomes.next();
    expect(fixed.ok).toBe(true);
    expect((await callHandler(isolateBundle(fn), "handler")).result).toBe("third");
  });

  it("replaces the bundle in one step: a runtime starting during a rebuild always finds a whole bundle", async () => {
    const fn = createFunction("watch-atomic", { files: { "src/index.ts": source("v0") } });
    const entry = join(fn.dir, "src", "index.ts");
    const outcomes = outcomeQueue();
    watcher = await watchFunction(fn, (outcome) => outcomes.push(outcome), { importCheck: false });
    expect((await outcomes.next()).ok).toBe(true);

    // A thread reads the bundle back to back while the main thread rebuilds: it counts every read that found
    // no bundle or a different length than a complete one of these sources (all the same size).
    const expectedBytes = readFileSync(fn.bundle).length;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const reader = new Worker(
      `const { readFileSync } = require("node:fs");
       const { workerData, parentPort } = require("node:worker_threads");
       const stop = new Int32Array(workerData.stop);
       let reads = 0, missing = 0, partial = 0;
       while (Atomics.load(stop, 0) === 0) {
         reads++;
         try {
           if (readFileSync(workerData.bundle).length !== workerData.expectedBytes) partial++;
         } catch { missing++; }
       }
       parentPort.postMessage({ reads, missing, partial });`,
      { eval: true, workerData: { bundle: fn.bundle, stop: stop.buffer, expectedBytes } },
    );
    const counts = new Promise<{ reads: number; missing: number; partial: number }>((resolve) =>
      reader.once("message", resolve),
    );
    for (const version of ["v1", "v2", "v3", "v4", "v5"]) {
      replaceFile(entry, source(version));
      expect((await outcomes.next()).ok).toBe(true);
    }
    Atomics.store(stop, 0, 1);
    const { reads, missing, partial } = await counts;
    await reader.terminate();
    expect(reads).toBeGreaterThan(0);
    expect({ missing, partial }).toEqual({ missing: 0, partial: 0 });
    expect((await callHandler(isolateBundle(fn), "handler")).result).toBe("v5");
  });

  it("refuses to start without an entry file", async () => {
    const fn = createFunction("watch-no-entry");
    await expect(watchFunction(fn, () => {})).rejects.toThrow(
      "functions/watch-no-entry: entry src/index.ts does not exist",
    );
  });
});
