/**
 * Event (asynchronous) invocations end to end: the real AWS SDK against the Invoke API, the Event queue, the real
 * engine and aws-lambda-ric. Every accepted event runs or lands in the dead-letter record; none is lost. The tests
 * wait for the queues to drain through the stack's API (`settled()`, `close()`), never for time.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "../test/support/sdk.js";
import { addTestFunction, createTestWorkspace } from "../test/support/test-workspace.js";
import { stoppedMessage } from "./cli/dev.js";
import { runInvoke } from "./cli/invoke.js";
import { createFunctionHost } from "./engine/index.js";
import {
  DEAD_LETTER_DIR,
  type DeadLetterRecord,
  DeadLetterStore,
} from "./front-doors/invoke-api/dead-letters.js";
import { type LocalStack, type StackOptions, startStack } from "./stack.js";

const scratch = mkdtempSync(join(tmpdir(), "async-invoke-"));
let files = 0;
/** A fresh path under the scratch folder. */
const scratchFile = (name: string) => join(scratch, `${name}-${++files}`);

/**
 * Appends its request ID to `event.file` (one line per attempt), then: succeeds once the file `event.fixed` exists;
 * else crashes, hangs or throws as the event asks; else succeeds.
 */
const recordingHandler =
  'import { appendFileSync, existsSync } from "node:fs";\n' +
  "export const handler = async (event, context) => {\n" +
  '  appendFileSync(event.file, context.awsRequestId + "\\n");\n' +
  '  if (event.fixed && existsSync(event.fixed)) return "fixed";\n' +
  "  if (event.crash) process.exit(42);\n" +
  "  if (event.hang) await new Promise(() => setInterval(() => {}, 1000));\n" +
  '  if (event.fail) throw new TypeError("failed on purpose: " + event.tag);\n' +
  "  return null;\n};\n";

interface Workspace {
  readonly root: string;
  readonly functions: FunctionDefinition[];
  readonly deadLetters: DeadLetterStore;
}

/** A throwaway workspace whose functions all run `recordingHandler`, each with its own "lambda" block. */
function workspaceWith(lambdas: Record<string, Readonly<Record<string, unknown>>>): Workspace {
  const root = createTestWorkspace("async-invoke-ws-");
  const functions = Object.entries(lambdas).map(([name, lambda]) =>
    addTestFunction(root, { name, lambda, bundle: recordingHandler }),
  );
  return { root, functions, deadLetters: new DeadLetterStore(join(root, DEAD_LETTER_DIR)) };
}

async function start(workspace: Workspace, options: Partial<StackOptions> = {}): Promise<LocalStack> {
  return startStack({
    functions: workspace.functions,
    hostOptions: { runner: "ric", maxInstances: 2, maxQueue: 0, logSink: () => {} },
    invokePort: 0,
    httpPort: 0,
    functionUrlPort: 0,
    log: () => {},
    ...options,
  });
}

function sdkFor(stack: LocalStack): LambdaClient {
  return new LambdaClient({
    endpoint: stack.invokeUrl,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

/** Sends an Event invoke with the real SDK and returns the request ID of its 202. */
async function sendEvent(lambda: LambdaClient, FunctionName: string, event: unknown): Promise<string> {
  const result = await lambda.send(
    new InvokeCommand({ FunctionName, InvocationType: "Event", Payload: encode(event) }),
  );
  expect(result.StatusCode).toBe(202);
  const requestId = result.$metadata.requestId;
  if (requestId === undefined) throw new Error("no request ID in the 202");
  return requestId;
}

/** The request IDs a function appended to `file`, one per attempt. */
const ranIn = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];

const gaps = (record: DeadLetterRecord): number[] =>
  record.attempts
    .slice(1)
    .map(
      (attempt, index) =>
        Date.parse(attempt.startedAt) - Date.parse((record.attempts[index] as { endedAt: string }).endedAt),
    );

describe("Event invocations through the queue (ric, 2 instances, no host queue)", () => {
  const workspace = workspaceWith({
    counter: {},
    failing: {},
    once: { async: { maximumRetryAttempts: 0 } },
    crashing: { async: { maximumRetryAttempts: 1 } },
    // 5 s from the hand-over of the event (the cold start has its own limit); the handler then hangs past it.
    sleepy: { timeout: 5, async: { maximumRetryAttempts: 0 } },
  });
  const { deadLetters } = workspace;
  let stack: LocalStack;
  let lambda: LambdaClient;

  beforeAll(async () => {
    // Deliveries: up to 8 at once against 2 instances and no host queue, so the host throttles most of them and
    // they must go back on the queue. Retries after 20 ms, then 40 ms. Dead letters go to the default place.
    stack = await start(workspace, { asyncInvoke: { retryDelayMs: 20, concurrency: 8 } });
    lambda = sdkFor(stack);
  });

  afterAll(async () => {
    lambda?.destroy();
    await stack?.close();
  });

  it("runs every one of a burst of 200 Event invokes, each once: none is lost", async () => {
    const file = scratchFile("burst");
    const sends = await Promise.allSettled(
      Array.from({ length: 200 }, (_, index) => sendEvent(lambda, "counter", { file, index })),
    );
    const acceptedIds = sends.flatMap((send) => (send.status === "fulfilled" ? [send.value] : []));
    await stack.settled();
    const ranIds = ranIn(file);
    const ran = new Set(ranIds);
    const deadLettered = new Set(deadLetters.read("counter").records.map((record) => record.requestId));
    const lost = acceptedIds.filter((id) => !ran.has(id) && !deadLettered.has(id));
    console.log(
      `Event burst of 200 against 2 instances: accepted ${acceptedIds.length}, ran ${ran.size}, ` +
        `dead-lettered ${deadLettered.size}, lost ${lost.length}`,
    );
    expect(acceptedIds).toHaveLength(200);
    expect(lost).toEqual([]);
    expect(deadLettered.size).toBe(0);
    expect(ranIds).toHaveLength(200);
    expect([...ran].sort()).toEqual([...acceptedIds].sort());
    const stats = stack.eventQueues.get("counter")?.stats();
    console.log(`Deliveries the host throttled and the queue put back: ${stats?.throttled}`);
    expect(stats).toMatchObject({ accepted: 200, succeeded: 200, pending: 0 });
    // How many deliveries found both instances busy depends on how fast the sends arrive, so it is printed, not
    // asserted; that a throttled delivery goes back on the queue is event-queue.test.ts's deterministic case.
  }, 120_000);

  it("answers every one of 200 synchronous invokes sent at once with 200 events: none lost, none unanswered", async () => {
    const file = scratchFile("mixed");
    const [syncs, events] = await Promise.all([
      Promise.allSettled(
        Array.from({ length: 200 }, (_, index) =>
          lambda.send(new InvokeCommand({ FunctionName: "counter", Payload: encode({ file, sync: index }) })),
        ),
      ),
      Promise.allSettled(
        Array.from({ length: 200 }, (_, index) => sendEvent(lambda, "counter", { file, index })),
      ),
    ]);
    await stack.settled();
    // A synchronous call gets the function's answer or, with both instances busy, 429: never nothing.
    const answered = syncs.map((sync) =>
      sync.status === "fulfilled" ? String(sync.value.StatusCode) : (sync.reason as Error).name,
    );
    const tally = Object.entries(
      answered.reduce<Record<string, number>>((counts, answer) => {
        counts[answer] = (counts[answer] ?? 0) + 1;
        return counts;
      }, {}),
    );
    const acceptedIds = events.flatMap((send) => (send.status === "fulfilled" ? [send.value] : []));
    const ran = new Set(ranIn(file));
    const deadLettered = new Set(deadLetters.read("counter").records.map((record) => record.requestId));
    const lost = acceptedIds.filter((id) => !ran.has(id) && !deadLettered.has(id));
    console.log(
      `200 synchronous + 200 Event invokes at once: synchronous answers ${tally.map(([a, n]) => `${n} x ${a}`).join(", ")}; ` +
        `events accepted ${acceptedIds.length}, ran ${acceptedIds.filter((id) => ran.has(id)).length}, ` +
        `dead-lettered ${deadLettered.size}, lost ${lost.length}`,
    );
    expect(answered.every((answer) => answer === "200" || answer === "TooManyRequestsException")).toBe(true);
    expect(acceptedIds).toHaveLength(200);
    expect(lost).toEqual([]);
  }, 120_000);

  it("tries a failing event 1 + maximumRetryAttempts times with back-off, then dead-letters it with each attempt", async () => {
    const file = scratchFile("failing");
    const event = { file, fail: true, tag: "a" };
    const requestId = await sendEvent(lambda, "failing", event);
    await stack.settled();
    expect(ranIn(file)).toEqual([requestId, requestId, requestId]);
    const { records } = deadLetters.read("failing");
    expect(deadLetters.fileOf("failing")).toBe(
      join(workspace.root, ".local", "dead-letters", "failing.jsonl"),
    );
    expect(records).toHaveLength(1);
    const [record] = records as [DeadLetterRecord];
    expect(record).toMatchObject({
      reason: "retries-exhausted",
      functionName: "failing",
      requestId,
      errorType: "TypeError",
      errorMessage: "failed on purpose: a",
      payload: event,
    });
    expect(record.attempts).toHaveLength(3);
    for (const attempt of record.attempts) {
      expect(attempt).toMatchObject({ errorType: "TypeError", errorMessage: "failed on purpose: a" });
      expect(Date.parse(attempt.endedAt)).toBeGreaterThanOrEqual(Date.parse(attempt.startedAt));
    }
    // The queue waited at least the retry delay, then twice that, between attempts.
    const [first = 0, second = 0] = gaps(record);
    expect(first).toBeGreaterThanOrEqual(20);
    expect(second).toBeGreaterThanOrEqual(40);
  });

  it("makes one attempt with maximumRetryAttempts 0", async () => {
    const file = scratchFile("once");
    const requestId = await sendEvent(lambda, "once", { file, fail: true, tag: "b" });
    await stack.settled();
    expect(ranIn(file)).toEqual([requestId]);
    const records = deadLetters.read("once").records;
    expect(records.map((record) => [record.requestId, record.reason, record.attempts.length])).toEqual([
      [requestId, "retries-exhausted", 1],
    ]);
  });

  it("retries a crash (Runtime.ExitError) and a timeout (Sandbox.Timedout) like a handler error", async () => {
    const crashFile = scratchFile("crash");
    const crashId = await sendEvent(lambda, "crashing", { file: crashFile, crash: true });
    const hangFile = scratchFile("hang");
    const hangId = await sendEvent(lambda, "sleepy", { file: hangFile, hang: true });
    await stack.settled();
    expect(ranIn(crashFile)).toEqual([crashId, crashId]);
    expect(deadLetters.read("crashing").records).toEqual([
      expect.objectContaining({
        requestId: crashId,
        reason: "retries-exhausted",
        errorType: "Runtime.ExitError",
        errorMessage: expect.stringContaining("exit status 42"),
      }),
    ]);
    expect(ranIn(hangFile)).toEqual([hangId]);
    expect(deadLetters.read("sleepy").records).toEqual([
      expect.objectContaining({
        requestId: hangId,
        reason: "retries-exhausted",
        errorType: "Sandbox.Timedout",
        errorMessage: expect.stringContaining("Task timed out after 5.00 seconds"),
      }),
    ]);
  });
});

describe("replaying dead letters: lambda-local invoke <fn> --replay-dead-letters", () => {
  const workspace = workspaceWith({ orders: {}, stubborn: { async: { maximumRetryAttempts: 0 } } });
  const { deadLetters, root } = workspace;
  let stack: LocalStack;
  let lambda: LambdaClient;

  beforeAll(async () => {
    stack = await start(workspace, { asyncInvoke: { retryDelayMs: 10 } });
    lambda = sdkFor(stack);
  });

  afterAll(async () => {
    lambda?.destroy();
    await stack?.close();
  });

  async function replay(functionName: string) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: string[] = [];
    stdout.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    stderr.resume();
    const code = await runInvoke(
      { command: "invoke", functionName, event: undefined, runner: "ric", replayDeadLetters: true },
      {
        workspaceRoot: root,
        cwd: root,
        createHost: createFunctionHost,
        stdin: new PassThrough(),
        stdout,
        stderr,
      },
    );
    return { code, stdout: out.join("") };
  }

  it("re-runs each recorded event as a new Event invoke and takes it out of the record once accepted", async () => {
    const file = scratchFile("orders");
    const fixed = scratchFile("orders-fixed");
    const ids = [
      await sendEvent(lambda, "orders", { file, fixed, fail: true, tag: "1" }),
      await sendEvent(lambda, "orders", { file, fixed, fail: true, tag: "2" }),
    ];
    await stack.settled();
    expect(
      deadLetters
        .read("orders")
        .records.map((record) => record.requestId)
        .sort(),
    ).toEqual([...ids].sort());
    const before = ranIn(file).length;

    writeFileSync(fixed, "the bug is fixed");
    const result = await replay("orders");
    expect(result.stdout).toContain("Replaying 2 dead-lettered Event invocations of orders");
    expect(result.stdout).toContain("Replayed 2 events of orders: 2 succeeded, 0 dead-lettered again.");
    expect(result.code).toBe(0);
    expect(existsSync(deadLetters.fileOf("orders"))).toBe(false);
    const replayedIds = ranIn(file).slice(before);
    expect(replayedIds).toHaveLength(2);
    expect(replayedIds.some((id) => ids.includes(id))).toBe(false);

    expect((await replay("orders")).stdout).toContain(
      "No dead-lettered Event invocations of orders to replay",
    );
  });

  it("dead-letters an event that still fails again, naming the one it replayed", async () => {
    const file = scratchFile("stubborn");
    const first = await sendEvent(lambda, "stubborn", { file, fail: true, tag: "still" });
    await stack.settled();
    const result = await replay("stubborn");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Replayed 1 event of stubborn: 0 succeeded, 1 dead-lettered again");
    const { records } = deadLetters.read("stubborn");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      reason: "retries-exhausted",
      replayOf: first,
      payload: { tag: "still" },
    });
    expect(records[0]?.requestId).not.toBe(first);
    expect(ranIn(file)).toEqual([first, records[0]?.requestId]);
  });
});

describe("expiry and shutdown", () => {
  it("dead-letters an event older than its maximum age as event-too-old", async () => {
    const workspace = workspaceWith({ late: {} });
    // A maximum age of 1 ms (below Lambda's 60 s minimum, so only through this option): the retry, 20 ms after the
    // first failure, comes too late whatever the machine's speed.
    const stack = await start(workspace, { asyncInvoke: { maxEventAgeMs: 1, retryDelayMs: 20 } });
    const lambda = sdkFor(stack);
    try {
      const file = scratchFile("late");
      const requestId = await sendEvent(lambda, "late", { file, fail: true, tag: "late" });
      await stack.settled();
      const { records } = workspace.deadLetters.read("late");
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ requestId, reason: "event-too-old", payload: { tag: "late" } });
      // Never retried: at most the first attempt ran (none if it was already too old when its turn came).
      expect(records[0]?.attempts.length).toBeLessThanOrEqual(1);
      expect(ranIn(file)).toHaveLength(records[0]?.attempts.length ?? -1);
    } finally {
      lambda.destroy();
      await stack.close();
    }
  });

  it("writes the events still queued when the stack stops to the record as stack-stopped, and says how many", async () => {
    const workspace = workspaceWith({ stuck: { timeout: 1 } });
    // One instance, a function that never answers (1 s timeout), retries 10 minutes apart: when the stack stops,
    // one event is running or waiting to retry and the other four wait for the instance.
    const stack = await start(workspace, {
      hostOptions: { runner: "ric", maxInstances: 1, logSink: () => {} },
      asyncInvoke: { retryDelayMs: 600_000 },
    });
    const lambda = sdkFor(stack);
    const file = scratchFile("stuck");
    const ids: string[] = [];
    try {
      for (let index = 0; index < 5; index++)
        ids.push(await sendEvent(lambda, "stuck", { file, hang: true, index }));
    } finally {
      lambda.destroy();
    }
    const stopped = await stack.close();
    const deadLetterFile = workspace.deadLetters.fileOf("stuck");
    expect(stopped).toEqual({
      total: 5,
      byFunction: new Map([["stuck", { count: 5, file: deadLetterFile }]]),
    });
    const { records } = workspace.deadLetters.read("stuck");
    expect(records.map((record) => record.reason)).toEqual(Array(5).fill("stack-stopped"));
    expect(records.map((record) => record.requestId).sort()).toEqual([...ids].sort());
    expect(records.map((record) => (record.payload as { index: number }).index).sort()).toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(stoppedMessage(stopped, workspace.root)).toBe(
      "Stopped. 5 queued Event invocations were written to the dead-letter record (reason stack-stopped):\n" +
        "  stuck: 5 in .local/dead-letters/stuck.jsonl\n" +
        "Run them with: pnpm invoke stuck --replay-dead-letters\n",
    );
  });
});
