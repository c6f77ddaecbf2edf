/**
 * The Event queue's rules, with an injected clock and timers and a stand-in host: nothing here waits for real time.
 * The end-to-end tests (../async-invoke.test.ts) run the same queue behind the Invoke API with the real engine.
 */
import type { AsyncInvokeConfig } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { addTestFunction, createTestWorkspace } from "../../../test/support/test-workspace.js";
import type { FunctionHost, InvokeOutcome, InvokeRequest } from "../../contract.js";
import type { DeadLetterRecord } from "./dead-letters.js";
import { EventQueue } from "./event-queue.js";
import type { EventQueueOptions } from "./event-queue-settings.js";
import {
  afterFailure,
  failureOf,
  isTooOld,
  RETRY_DELAY_ENV,
  retryDelay,
  retryDelayFromEnvironment,
  throttleBackoff,
} from "./event-retries.js";
import type { Timers } from "./queued-events.js";

const root = createTestWorkspace("event-queue-");

/** Lets every promise callback that is ready run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock and timers the test moves by hand. */
function fakeTime(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    set(callback, ms) {
      next++;
      pending.set(next, { at: now + ms, callback });
      return next;
    },
    clear(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    clock: () => now,
    timers,
    start,
    /** Moves the clock on by `ms`, firing each timer that falls due, in order. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await flush();
        const due = [...pending.entries()]
          .filter(([, timer]) => timer.at <= end)
          .sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        pending.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = end;
      await flush();
    },
  };
}

type Answer = "ok" | "fail" | "throttle" | "reject" | Promise<"ok" | "fail">;

/** A host that answers each invoke as `answer` says, and records when each came. */
function scriptedHost(
  async: Partial<AsyncInvokeConfig>,
  answer: (call: number) => Answer,
  clock: () => number,
) {
  const definition = addTestFunction(root, {
    name: `fn-${Math.random().toString(36).slice(2, 8)}`,
    lambda: { async },
  });
  const calls: { request: InvokeRequest; at: number }[] = [];
  const outcome = (request: InvokeRequest, result: "ok" | "fail"): InvokeOutcome => {
    const requestId = request.requestId ?? "none";
    const report = {
      requestId,
      durationMs: 1,
      billedDurationMs: 1,
      memorySizeMb: 128,
      maxMemoryUsedMb: 64,
      reportLine: `REPORT RequestId: ${requestId}`,
    };
    return result === "ok"
      ? { kind: "response", requestId, payload: Buffer.from("null"), contentType: "application/json", report }
      : {
          kind: "response",
          requestId,
          payload: Buffer.from(
            JSON.stringify({ errorType: "TypeError", errorMessage: `call ${calls.length}` }),
          ),
          contentType: "application/json",
          functionError: "Unhandled",
          errorType: "TypeError",
          report,
        };
  };
  const host: FunctionHost = {
    definition,
    async invoke(request) {
      calls.push({ request, at: clock() });
      const result = answer(calls.length);
      if (result === "throttle") return { kind: "throttled", message: "busy" };
      if (result === "reject") throw new RangeError("the runtime would not start");
      return outcome(request, await result);
    },
    async recycle() {},
    async close() {},
  };
  return { host, calls };
}

function queueFor(
  host: FunctionHost,
  time: ReturnType<typeof fakeTime>,
  options: Partial<EventQueueOptions> = {},
) {
  const records: DeadLetterRecord[] = [];
  const log: string[] = [];
  const queue = new EventQueue({
    host,
    deadLetters: {
      append: (record) => records.push(record),
      fileOf: (name) => `/dead-letters/${name}.jsonl`,
    },
    retryDelayMs: 1000,
    clock: time.clock,
    timers: time.timers,
    log: (line) => log.push(line),
    ...options,
  });
  return { queue, records, log };
}

const event = (value: unknown): InvokeRequest => ({ payload: Buffer.from(JSON.stringify(value)) });

function deferred() {
  let resolve: (value: "ok" | "fail") => void = () => {};
  const promise = new Promise<"ok" | "fail">((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("the rules", () => {
  it("waits the base delay before the first retry and twice that before the second", () => {
    expect(retryDelay(1, 1000)).toBe(1000);
    expect(retryDelay(2, 1000)).toBe(2000);
    expect(retryDelay(1, 60_000)).toBe(60_000);
    expect(retryDelay(2, 60_000)).toBe(120_000);
  });

  it("retries up to maximumRetryAttempts times, then gives up with retries-exhausted", () => {
    expect(afterFailure(1, 5000, 2, 1000)).toEqual({ kind: "retry", at: 6000 });
    expect(afterFailure(2, 5000, 2, 1000)).toEqual({ kind: "retry", at: 7000 });
    expect(afterFailure(3, 5000, 2, 1000)).toEqual({ kind: "dead-letter", reason: "retries-exhausted" });
    expect(afterFailure(1, 5000, 0, 1000)).toEqual({ kind: "dead-letter", reason: "retries-exhausted" });
    expect(afterFailure(1, 5000, 1, 1000)).toEqual({ kind: "retry", at: 6000 });
    expect(afterFailure(2, 5000, 1, 1000)).toEqual({ kind: "dead-letter", reason: "retries-exhausted" });
  });

  it("calls an event too old once its age reaches the maximum", () => {
    expect(isTooOld(1000, 1000 + 59_999, 60_000)).toBe(false);
    expect(isTooOld(1000, 1000 + 60_000, 60_000)).toBe(true);
  });

  it("backs off after throttles, doubling up to a second", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(throttleBackoff)).toEqual([10, 20, 40, 80, 640, 1000, 1000]);
  });

  it("reads the error type and message of a failed outcome", () => {
    const report = {
      requestId: "r",
      durationMs: 1,
      billedDurationMs: 1,
      memorySizeMb: 1,
      maxMemoryUsedMb: 1,
      reportLine: "",
    };
    const base = { kind: "response" as const, requestId: "r", contentType: "application/json", report };
    expect(failureOf({ ...base, payload: Buffer.from("1") })).toBeUndefined();
    expect(
      failureOf({
        ...base,
        payload: Buffer.from(
          '{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 1.00 seconds"}',
        ),
        functionError: "Unhandled",
        errorType: "Sandbox.Timedout",
      }),
    ).toEqual({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.00 seconds" });
    expect(failureOf({ ...base, payload: Buffer.from("not json"), functionError: "Unhandled" })).toEqual({
      errorType: "Unhandled",
      errorMessage: "not json",
    });
    expect(failureOf({ kind: "throttled", message: "busy" })).toBeUndefined();
  });

  it(`reads ${RETRY_DELAY_ENV}, refusing what is not a number of milliseconds`, () => {
    expect(retryDelayFromEnvironment({})).toBeUndefined();
    expect(retryDelayFromEnvironment({ [RETRY_DELAY_ENV]: "60000" })).toBe(60_000);
    expect(retryDelayFromEnvironment({ [RETRY_DELAY_ENV]: "0" })).toBe(0);
    expect(() => retryDelayFromEnvironment({ [RETRY_DELAY_ENV]: "1s" })).toThrow(
      `${RETRY_DELAY_ENV} must be a whole number of milliseconds from 0 to 3600000`,
    );
  });
});

describe("EventQueue", () => {
  it("runs an accepted event with the request ID it answered, and settles", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost({}, () => "ok", time.clock);
    const { queue, records } = queueFor(host, time);
    const result = queue.submit(event({ a: 1 }));
    expect(result.accepted).toBe(true);
    await queue.settled();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.request.requestId).toBe(result.accepted ? result.requestId : "");
    expect(calls[0]?.request.payload.toString()).toBe('{"a":1}');
    expect(records).toEqual([]);
    expect(queue.stats()).toMatchObject({ accepted: 1, succeeded: 1, pending: 0, failedAttempts: 0 });
  });

  it("runs at most `concurrency` at once and starts the next as each ends", async () => {
    const time = fakeTime();
    const holds = Array.from({ length: 5 }, deferred);
    const { host, calls } = scriptedHost({}, (call) => holds[call - 1]?.promise ?? "ok", time.clock);
    const { queue } = queueFor(host, time, { concurrency: 2 });
    for (let index = 0; index < 5; index++) queue.submit(event({ index }));
    await flush();
    expect(calls).toHaveLength(2);
    holds[0]?.resolve("ok");
    await flush();
    expect(calls).toHaveLength(3);
    for (const hold of holds) hold.resolve("ok");
    await queue.settled();
    expect(calls.map((call) => JSON.parse(call.request.payload.toString()).index)).toEqual([0, 1, 2, 3, 4]);
    expect(queue.stats()).toMatchObject({ accepted: 5, succeeded: 5, pending: 0 });
  });

  it("puts a throttled delivery back on the queue and delivers it after a back-off, never dropping it", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost({}, (call) => (call <= 3 ? "throttle" : "ok"), time.clock);
    const { queue, records } = queueFor(host, time);
    queue.submit(event({ n: 1 }));
    await flush();
    expect(calls).toHaveLength(1);
    expect(queue.pending).toBe(1);
    await time.advance(9);
    expect(calls).toHaveLength(1);
    await time.advance(1);
    expect(calls).toHaveLength(2);
    await time.advance(20);
    expect(calls).toHaveLength(3);
    await time.advance(40);
    await queue.settled();
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((call) => call.request.requestId)).size).toBe(1);
    expect(records).toEqual([]);
    expect(queue.stats()).toMatchObject({ succeeded: 1, throttled: 3, failedAttempts: 0 });
  });

  it("retries a failing event after 1 s and 2 s, then dead-letters it with every attempt", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost({ maximumRetryAttempts: 2 }, () => "fail", time.clock);
    const { queue, records, log } = queueFor(host, time);
    const result = queue.submit(event({ order: 7 }));
    await flush();
    expect(calls.map((call) => call.at - time.start)).toEqual([0]);
    await time.advance(999);
    expect(calls).toHaveLength(1);
    await time.advance(1);
    expect(calls.map((call) => call.at - time.start)).toEqual([0, 1000]);
    await time.advance(1999);
    expect(calls).toHaveLength(2);
    await time.advance(1);
    await queue.settled();
    expect(calls.map((call) => call.at - time.start)).toEqual([0, 1000, 3000]);
    const requestId = result.accepted ? result.requestId : "";
    expect(calls.every((call) => call.request.requestId === requestId)).toBe(true);
    expect(records).toEqual([
      {
        reason: "retries-exhausted",
        functionName: host.definition.name,
        requestId,
        errorType: "TypeError",
        errorMessage: "call 3",
        attempts: [0, 1000, 3000].map((at, index) => ({
          startedAt: new Date(time.start + at).toISOString(),
          endedAt: new Date(time.start + at).toISOString(),
          errorType: "TypeError",
          errorMessage: `call ${index + 1}`,
        })),
        acceptedAt: new Date(time.start).toISOString(),
        deadLetteredAt: new Date(time.start + 3000).toISOString(),
        payload: { order: 7 },
      },
    ]);
    expect(log.join("\n")).toContain(`attempt 1 of 3 failed: TypeError; retry in 1000 ms`);
    expect(log.join("\n")).toContain(
      `dead-lettered (retries-exhausted) to /dead-letters/${host.definition.name}.jsonl`,
    );
    expect(queue.stats()).toMatchObject({
      failedAttempts: 3,
      deadLettered: { "retries-exhausted": 1 },
      pending: 0,
    });
  });

  it("makes one attempt with maximumRetryAttempts 0", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost({ maximumRetryAttempts: 0 }, () => "fail", time.clock);
    const { queue, records } = queueFor(host, time);
    queue.submit(event({}));
    await queue.settled();
    expect(calls).toHaveLength(1);
    expect(records.map((record) => [record.reason, record.attempts.length])).toEqual([
      ["retries-exhausted", 1],
    ]);
  });

  it("retries once with maximumRetryAttempts 1, and stops at the first success", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost(
      { maximumRetryAttempts: 1 },
      (call) => (call === 1 ? "fail" : "ok"),
      time.clock,
    );
    const { queue, records } = queueFor(host, time);
    queue.submit(event({}));
    await time.advance(1000);
    await queue.settled();
    expect(calls).toHaveLength(2);
    expect(records).toEqual([]);
    expect(queue.stats()).toMatchObject({ succeeded: 1, failedAttempts: 1 });
  });

  it("counts an invoke the engine could not make at all as a failed attempt", async () => {
    const time = fakeTime();
    const { host } = scriptedHost({ maximumRetryAttempts: 0 }, () => "reject", time.clock);
    const { queue, records } = queueFor(host, time);
    queue.submit(event({}));
    await queue.settled();
    expect(records[0]).toMatchObject({
      reason: "retries-exhausted",
      errorType: "RangeError",
      errorMessage: "the runtime would not start",
    });
  });

  it("expires an event whose next retry would come after its maximum age, at that age", async () => {
    const time = fakeTime();
    const { host, calls } = scriptedHost(
      { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60 },
      () => "fail",
      time.clock,
    );
    const { queue, records } = queueFor(host, time, { retryDelayMs: 50_000 });
    queue.submit(event({ late: true }));
    await time.advance(50_000);
    expect(calls).toHaveLength(2);
    await time.advance(9_999);
    expect(records).toEqual([]);
    await time.advance(1);
    await queue.settled();
    expect(calls).toHaveLength(2);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      reason: "event-too-old",
      errorType: "TypeError",
      errorMessage: "call 2",
      deadLetteredAt: new Date(time.start + 60_000).toISOString(),
    });
    expect(records[0]?.attempts).toHaveLength(2);
  });

  it("expires an event that waited too long for an instance, without running it", async () => {
    const time = fakeTime();
    const { host } = scriptedHost({}, () => "throttle", time.clock);
    const { queue, records } = queueFor(host, time, { maxEventAgeMs: 5000 });
    queue.submit(event({ waited: true }));
    await time.advance(4999);
    expect(records).toEqual([]);
    expect(queue.pending).toBe(1);
    await time.advance(1);
    await queue.settled();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ reason: "event-too-old", attempts: [], payload: { waited: true } });
    expect(records[0]).not.toHaveProperty("errorType");
  });

  it("refuses an event past its bound (before accepting it), and takes more once some have run", async () => {
    const time = fakeTime();
    const hold = deferred();
    const { host } = scriptedHost({}, (call) => (call === 1 ? hold.promise : "ok"), time.clock);
    const { queue } = queueFor(host, time, { maxQueuedEvents: 2, concurrency: 1 });
    expect(queue.submit(event({ n: 1 })).accepted).toBe(true);
    expect(queue.submit(event({ n: 2 })).accepted).toBe(true);
    const refused = queue.submit(event({ n: 3 }));
    expect(refused).toEqual({ accepted: false, message: expect.stringContaining("at most 2 events") });
    expect(queue.stats().accepted).toBe(2);
    hold.resolve("ok");
    await queue.settled();
    expect(queue.submit(event({ n: 4 })).accepted).toBe(true);
    await queue.settled();

    const bytes = queueFor(host, time, { maxQueuedBytes: 10, concurrency: 1 }).queue;
    expect(bytes.submit(event("12345678")).accepted).toBe(true);
    expect(bytes.submit(event("")).accepted).toBe(false);
    await bytes.settled();
  });

  it("on close, dead-letters the waiting events as stack-stopped, waits for the running one, and refuses more", async () => {
    const time = fakeTime();
    const hold = deferred();
    const { host, calls } = scriptedHost({}, (call) => (call === 1 ? hold.promise : "fail"), time.clock);
    const { queue, records } = queueFor(host, time, { concurrency: 1 });
    for (let n = 1; n <= 4; n++) queue.submit(event({ n }));
    await flush();
    const closed = queue.close();
    expect(records.map((record) => [record.reason, (record.payload as { n: number }).n])).toEqual([
      ["stack-stopped", 2],
      ["stack-stopped", 3],
      ["stack-stopped", 4],
    ]);
    expect(queue.submit(event({ n: 5 })).accepted).toBe(false);
    hold.resolve("fail");
    expect(await closed).toBe(4);
    expect(calls).toHaveLength(1);
    expect(records[3]).toMatchObject({ reason: "stack-stopped", payload: { n: 1 } });
    expect(records[3]?.attempts).toHaveLength(1);
    expect(queue.stats()).toMatchObject({ accepted: 4, deadLettered: { "stack-stopped": 4 }, pending: 0 });
  });

  it("stopping at once dead-letters the running event too, and ignores how it ends", async () => {
    const time = fakeTime();
    const hold = deferred();
    const { host } = scriptedHost({}, (call) => (call === 1 ? hold.promise : "ok"), time.clock);
    const { queue, records } = queueFor(host, time, { concurrency: 1 });
    queue.submit(event({ n: 1 }));
    queue.submit(event({ n: 2 }));
    await flush();
    expect(queue.stats()).toMatchObject({ running: 1, pending: 2 });
    expect(queue.stopNow()).toBe(2);
    expect(records.map((record) => [record.reason, (record.payload as { n: number }).n])).toEqual([
      ["stack-stopped", 2],
      ["stack-stopped", 1],
    ]);
    await queue.settled();
    hold.resolve("fail");
    await flush();
    expect(records).toHaveLength(2);
    expect(await queue.close()).toBe(2);
    expect(queue.stats()).toMatchObject({ running: 0, pending: 0, deadLettered: { "stack-stopped": 2 } });
  });

  it("logs the whole record when the dead-letter file cannot be written", async () => {
    const time = fakeTime();
    const { host } = scriptedHost({ maximumRetryAttempts: 0 }, () => "fail", time.clock);
    const log: string[] = [];
    const queue = new EventQueue({
      host,
      deadLetters: {
        append: () => {
          throw new Error("EACCES: permission denied");
        },
        fileOf: () => "/read-only/x.jsonl",
      },
      clock: time.clock,
      timers: time.timers,
      log: (line) => log.push(line),
    });
    queue.submit(event({ keep: "me" }));
    await queue.settled();
    const line = log.find((entry) => entry.includes("could not be written")) ?? "";
    expect(line).toContain("EACCES: permission denied");
    expect(JSON.parse(line.slice(line.indexOf("the record: ") + "the record: ".length))).toMatchObject({
      reason: "retries-exhausted",
      payload: { keep: "me" },
    });
  });
});
