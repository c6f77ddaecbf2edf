/**
 * Lambda's asynchronous invocation, locally: one queue per function between the Invoke API's 202 and the function.
 *
 * - An accepted event waits here until the function has a free instance: at most `concurrency` deliveries run at
 *   once, and a delivery the host throttles goes back to the front of the queue (never dropped) and is tried again
 *   when one of the queue's own deliveries ends, or after a short back-off.
 * - A function error (an Unhandled error, a timeout, a crash, an init error) is retried up to the function's
 *   `async.maximumRetryAttempts` times, after `retryDelayMs` and then twice that (Lambda waits about 1 and 2
 *   minutes; here 1 and 2 seconds by default). Every attempt keeps the request ID the caller got in the 202.
 * - An event older than `async.maximumEventAgeSeconds` is not run any more.
 * - An event that runs out of retries or of age, or is still waiting when the queue is closed (the stack stops),
 *   is written to the dead-letter record (./dead-letters.ts) and can be replayed from there: never just gone.
 *
 * The decisions (retry delays, expiry) are pure functions of an injected clock; the timers are injected too, so the
 * unit tests drive the queue without waiting.
 */
import { randomUUID } from "node:crypto";
import type { AsyncInvokeConfig } from "@lambda-images/function-config";
import type { FunctionHost, InvokeOutcome, InvokeRequest } from "../../contract.js";
import { DEFAULT_MAX_INSTANCES } from "../../engine/host.js";
import {
  type DeadLetterReason,
  type DeadLetterRecord,
  type DeadLetterStore,
  type FailedAttempt,
  recordedPayload,
} from "./dead-letters.js";

/** The wait before the first retry; the second waits twice as long. Lambda's are about 1 and 2 minutes. */
export const DEFAULT_RETRY_DELAY_MS = 1000;
/** Sets the retry delay (ms) for `lambda-local dev` and `invoke --replay-dead-letters`. */
export const RETRY_DELAY_ENV = "LAMBDA_LOCAL_ASYNC_RETRY_DELAY_MS";
/** Events a function's queue holds (waiting, running or between retries) before Event invokes get 429. */
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
/** Payload bytes a function's queue holds before Event invokes get 429 (memory, not a Lambda quota). */
export const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024 * 1024;
/** After a throttled delivery, wait this long before the next try (doubling up to the maximum). */
export const THROTTLE_BACKOFF_MS = { first: 10, max: 1000 } as const;

// ---- The pure rules ---------------------------------------------------------------------------------------------

/** The wait before retry number `retry` (1 for the first): `baseMs`, then twice that. */
export function retryDelay(retry: number, baseMs: number): number {
  return baseMs * 2 ** (retry - 1);
}

/** Lambda's maximum event age, in ms. */
export function maxEventAgeMs(settings: AsyncInvokeConfig): number {
  return settings.maximumEventAgeSeconds * 1000;
}

/** An event accepted at `acceptedAt` is too old to run at `now`. */
export function isTooOld(acceptedAt: number, now: number, maxAgeMs: number): boolean {
  return now - acceptedAt >= maxAgeMs;
}

export type AfterFailure =
  | { readonly kind: "retry"; readonly at: number }
  | { readonly kind: "dead-letter"; readonly reason: Extract<DeadLetterReason, "retries-exhausted"> };

/** After the `failedAttempts`-th failed attempt, ending at `now`: retry (when), or give up. */
export function afterFailure(
  failedAttempts: number,
  now: number,
  maximumRetryAttempts: number,
  retryDelayMs: number,
): AfterFailure {
  if (failedAttempts > maximumRetryAttempts) return { kind: "dead-letter", reason: "retries-exhausted" };
  return { kind: "retry", at: now + retryDelay(failedAttempts, retryDelayMs) };
}

/** The back-off after the `throttles`-th throttled delivery in a row. */
export function throttleBackoff(throttles: number): number {
  return Math.min(THROTTLE_BACKOFF_MS.first * 2 ** Math.max(0, throttles - 1), THROTTLE_BACKOFF_MS.max);
}

/** The error type and message of a failed invoke, from its outcome's error payload. */
export function failureOf(outcome: InvokeOutcome): { errorType: string; errorMessage: string } | undefined {
  if (outcome.kind !== "response" || outcome.functionError === undefined) return undefined;
  const text = outcome.payload.toString("utf8");
  let errorMessage = text;
  let errorType = outcome.errorType;
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === "string") errorMessage = parsed.errorMessage;
    if (errorType === undefined && typeof parsed.errorType === "string") errorType = parsed.errorType;
  } catch {
    // Not JSON (a platform message, say): keep the text.
  }
  return { errorType: errorType ?? outcome.functionError, errorMessage };
}

/** The retry delay from `LAMBDA_LOCAL_ASYNC_RETRY_DELAY_MS`, or undefined when it is not set. */
export function retryDelayFromEnvironment(env: NodeJS.ProcessEnv): number | undefined {
  const value = env[RETRY_DELAY_ENV];
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 3_600_000) {
    throw new Error(
      `${RETRY_DELAY_ENV} must be a whole number of milliseconds from 0 to 3600000 (the wait before the first ` +
        `retry of a failed Event invoke; the second waits twice as long), not "${value}".`,
    );
  }
  return Number(value);
}

// ---- The queue --------------------------------------------------------------------------------------------------

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How a stack's Event queues behave; every field has a default. */
export interface EventQueueSettings {
  /** The folder of the dead-letter files (default: `.local/dead-letters` under the function's workspace root). */
  readonly deadLetterDir?: string;
  /** Wait before the first retry, in ms (default 1000); the second waits twice as long. */
  readonly retryDelayMs?: number;
  /**
   * Overrides every function's `async.maximumEventAgeSeconds` (ms). For tests: it may go below Lambda's minimum
   * of 60 s, which the config refuses.
   */
  readonly maxEventAgeMs?: number;
  /** Deliveries at once per function (default: the host's maxInstances). */
  readonly concurrency?: number;
  /** Events per function queue before 429 (default 10,000). */
  readonly maxQueuedEvents?: number;
  /** Payload bytes per function queue before 429 (default 512 MiB). */
  readonly maxQueuedBytes?: number;
  /** The clock the queue reads (ms since the epoch; default Date.now). */
  readonly clock?: () => number;
  readonly timers?: Timers;
  /** Retries and dead letters are logged here (default: the Invoke API's log). */
  readonly log?: (line: string) => void;
}

/** Where the queue writes its dead letters (a DeadLetterStore, or a stand-in in tests). */
export type DeadLetterSink = Pick<DeadLetterStore, "append" | "fileOf">;

export interface EventQueueOptions extends Omit<EventQueueSettings, "deadLetterDir"> {
  readonly host: FunctionHost;
  readonly deadLetters: DeadLetterSink;
}

export type SubmitResult =
  | { readonly accepted: true; readonly requestId: string }
  | { readonly accepted: false; readonly message: string };

export interface EventQueueStats {
  /** Events accepted (answered 202) so far. */
  readonly accepted: number;
  /** Events whose last attempt succeeded. */
  readonly succeeded: number;
  /** Events written to the dead-letter record, by reason. */
  readonly deadLettered: Readonly<Record<DeadLetterReason, number>>;
  /** Attempts that ended in a function error (retried or not). */
  readonly failedAttempts: number;
  /** Deliveries the host throttled (each went back on the queue). */
  readonly throttled: number;
  /** Events not finished yet: waiting, running, or between retries. */
  readonly pending: number;
  /** Of those, the ones being run right now. */
  readonly running: number;
}

interface QueuedEvent {
  readonly requestId: string;
  readonly request: InvokeRequest;
  readonly acceptedAt: number;
  readonly replayOf: string | undefined;
  readonly attempts: FailedAttempt[];
  /** When a retry may run (events waiting between retries). */
  retryAt: number;
  /** Dead-lettered while it was running (the process is stopping now): its outcome is no longer wanted. */
  abandoned?: boolean;
}

/** The Event queue of one function. */
export class EventQueue {
  readonly functionName: string;
  readonly #host: FunctionHost;
  readonly #deadLetters: DeadLetterSink;
  readonly #settings: AsyncInvokeConfig;
  readonly #retryDelayMs: number;
  readonly #maxAgeMs: number;
  readonly #concurrency: number;
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly #clock: () => number;
  readonly #timers: Timers;
  readonly #log: (line: string) => void;

  /** Events ready to run, oldest first. */
  #ready: QueuedEvent[] = [];
  /** Events waiting to be retried, soonest first. */
  #retrying: QueuedEvent[] = [];
  /** Events being run right now. */
  readonly #inFlight = new Set<QueuedEvent>();
  #bytes = 0;
  #throttledUntil = 0;
  #throttlesInARow = 0;
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;
  #closing = false;
  #stopped = 0;
  #idleWaiters: (() => void)[] = [];
  #stats = {
    accepted: 0,
    succeeded: 0,
    failedAttempts: 0,
    throttled: 0,
    deadLettered: { "retries-exhausted": 0, "event-too-old": 0, "stack-stopped": 0 },
  };

  constructor(options: EventQueueOptions) {
    this.#host = options.host;
    this.functionName = options.host.definition.name;
    this.#deadLetters = options.deadLetters;
    this.#settings = options.host.definition.async;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.#maxAgeMs = options.maxEventAgeMs ?? maxEventAgeMs(this.#settings);
    this.#concurrency = options.concurrency ?? DEFAULT_MAX_INSTANCES;
    this.#maxEvents = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    this.#maxBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#clock = options.clock ?? Date.now;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.log ?? ((line) => console.log(line));
    for (const [name, value] of [
      ["retryDelayMs", this.#retryDelayMs],
      ["maxEventAgeMs", this.#maxAgeMs],
      ["concurrency", this.#concurrency],
      ["maxQueuedEvents", this.#maxEvents],
      ["maxQueuedBytes", this.#maxBytes],
    ] as const) {
      const least = name === "retryDelayMs" ? 0 : 1;
      if (!Number.isInteger(value) || value < least) {
        throw new Error(
          `The Event queue's ${name} must be a whole number of at least ${least}, not ${value}.`,
        );
      }
    }
  }

  /** The dead-letter file of this function. */
  get deadLetterFile(): string {
    return this.#deadLetters.fileOf(this.functionName);
  }

  /** Events not finished yet: waiting, running, or between retries. */
  get pending(): number {
    return this.#ready.length + this.#retrying.length + this.#inFlight.size;
  }

  stats(): EventQueueStats {
    return {
      ...this.#stats,
      deadLettered: { ...this.#stats.deadLettered },
      pending: this.pending,
      running: this.#inFlight.size,
    };
  }

  /**
   * Accepts an event, or refuses it (the Invoke API then answers 429 instead of 202) when the queue is full or
   * closed. Nothing is refused after it was accepted.
   */
  submit(request: InvokeRequest, options: { readonly replayOf?: string } = {}): SubmitResult {
    if (this.#closing) {
      return { accepted: false, message: `The Event queue of ${this.functionName} is stopping.` };
    }
    const bytes = request.payload.length;
    if (this.pending >= this.#maxEvents || this.#bytes + bytes > this.#maxBytes) {
      return {
        accepted: false,
        message:
          `Rate Exceeded: ${this.pending} Event invocations of ${this.functionName} (${this.#bytes} bytes) are ` +
          `already queued; the local queue holds at most ${this.#maxEvents} events and ${this.#maxBytes} bytes ` +
          "per function. Try again once some have run.",
      };
    }
    const requestId = randomUUID();
    this.#bytes += bytes;
    this.#stats.accepted++;
    this.#ready.push({
      requestId,
      request: { ...request, requestId },
      acceptedAt: this.#clock(),
      replayOf: options.replayOf,
      attempts: [],
      retryAt: 0,
    });
    this.#pump();
    return { accepted: true, requestId };
  }

  /** Resolves once every accepted event has succeeded or been dead-lettered (retries included). */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops taking and starting events: the ones waiting (or between retries) go to the dead-letter record with the
   * reason `stack-stopped`, the running ones are waited for (and dead-lettered the same way if they fail). Returns
   * how many were dead-lettered for the stop.
   */
  async close(): Promise<number> {
    if (!this.#closing) {
      this.#closing = true;
      this.#clearTimer();
      const waiting = [...this.#retrying, ...this.#ready];
      this.#retrying = [];
      this.#ready = [];
      for (const event of waiting) this.#deadLetter(event, "stack-stopped");
    }
    await this.settled();
    return this.#stopped;
  }

  /**
   * For a process that must exit now (a second Ctrl+C): closes the queue if `close()` has not, and writes the events
   * still running to the dead-letter record at once too (`stack-stopped`; whether they finished cannot be known, so
   * a replay may run one twice). Synchronous, so it is done before the process exits. Returns how many events the
   * stop dead-lettered in all.
   */
  stopNow(): number {
    if (!this.#closing) void this.close();
    const running = [...this.#inFlight];
    this.#inFlight.clear();
    for (const event of running) {
      event.abandoned = true;
      this.#deadLetter(event, "stack-stopped");
    }
    this.#notifyIfIdle();
    return this.#stopped;
  }

  /** Starts what can start now, expires what is too old, and sets the timer for the next thing due. */
  #pump(): void {
    if (this.#closing) return;
    const now = this.#clock();
    this.#promoteDueRetries(now);
    while (this.#ready.length > 0 && this.#inFlight.size < this.#concurrency && now >= this.#throttledUntil) {
      const event = this.#ready.shift() as QueuedEvent;
      if (isTooOld(event.acceptedAt, now, this.#maxAgeMs)) {
        this.#deadLetter(event, "event-too-old");
        continue;
      }
      this.#deliver(event).catch((error: unknown) => {
        // A bug in the queue itself (the log throwing, say): say so rather than reject into the void.
        console.error(`lambda-local: bug: the Event queue of ${this.functionName} failed: ${String(error)}`);
      });
    }
    // Events that wait (throttled, or all deliveries busy) still expire on time.
    while (
      this.#ready.length > 0 &&
      isTooOld((this.#ready[0] as QueuedEvent).acceptedAt, now, this.#maxAgeMs)
    ) {
      this.#deadLetter(this.#ready.shift() as QueuedEvent, "event-too-old");
    }
    this.#armTimer(now);
    this.#notifyIfIdle();
  }

  /** Retries that are due (or too old to wait for) move to the front of the ready queue, oldest first. */
  #promoteDueRetries(now: number): void {
    const due: QueuedEvent[] = [];
    while (this.#retrying.length > 0 && this.#wakeAt(this.#retrying[0] as QueuedEvent) <= now) {
      due.push(this.#retrying.shift() as QueuedEvent);
    }
    if (due.length > 0) this.#ready.unshift(...due.sort((a, b) => a.acceptedAt - b.acceptedAt));
  }

  /** When a retrying event next needs attention: its retry, or its expiry if that comes first. */
  #wakeAt(event: QueuedEvent): number {
    return Math.min(event.retryAt, event.acceptedAt + this.#maxAgeMs);
  }

  #armTimer(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    const first = this.#retrying[0];
    if (first !== undefined) next = this.#wakeAt(first);
    const oldest = this.#ready[0];
    if (oldest !== undefined) {
      next = Math.min(next, oldest.acceptedAt + this.#maxAgeMs);
      if (this.#inFlight.size < this.#concurrency) next = Math.min(next, this.#throttledUntil);
    }
    if (next === this.#timerAt) return;
    this.#clearTimer();
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timerAt = next;
    this.#timer = this.#timers.set(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, next - now),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  async #deliver(event: QueuedEvent): Promise<void> {
    this.#inFlight.add(event);
    const startedAt = this.#clock();
    let outcome: InvokeOutcome | undefined;
    let failure: { errorType: string; errorMessage: string } | undefined;
    try {
      outcome = await this.#host.invoke(event.request);
      failure = failureOf(outcome);
    } catch (error) {
      // The engine could not run it at all (say, the runtime would not start): a failed attempt like any other.
      failure = {
        errorType: error instanceof Error ? error.name : "Error",
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
    if (event.abandoned) return;
    this.#inFlight.delete(event);
    const now = this.#clock();
    if (outcome?.kind === "throttled") {
      this.#stats.throttled++;
      this.#throttlesInARow++;
      if (this.#closing) this.#deadLetter(event, "stack-stopped");
      else {
        this.#throttledUntil = now + throttleBackoff(this.#throttlesInARow);
        this.#ready.unshift(event);
      }
    } else {
      // An instance was free for this one: the next may find one too.
      this.#throttlesInARow = 0;
      this.#throttledUntil = 0;
      if (failure === undefined) this.#finish(event, () => this.#stats.succeeded++);
      else this.#failed(event, failure, startedAt, now);
    }
    this.#pump();
    this.#notifyIfIdle();
  }

  #failed(
    event: QueuedEvent,
    failure: { errorType: string; errorMessage: string },
    startedAt: number,
    now: number,
  ): void {
    this.#stats.failedAttempts++;
    event.attempts.push({
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(now).toISOString(),
      ...failure,
    });
    const attempts = event.attempts.length;
    const next = afterFailure(attempts, now, this.#settings.maximumRetryAttempts, this.#retryDelayMs);
    const label = `[invoke] ${this.functionName} Event ${event.requestId} attempt ${attempts} of ${this.#settings.maximumRetryAttempts + 1} failed: ${failure.errorType}`;
    if (next.kind === "dead-letter") {
      this.#log(label);
      this.#deadLetter(event, next.reason);
    } else if (this.#closing) {
      this.#log(label);
      this.#deadLetter(event, "stack-stopped");
    } else if (isTooOld(event.acceptedAt, now, this.#maxAgeMs)) {
      this.#log(label);
      this.#deadLetter(event, "event-too-old");
    } else {
      this.#log(`${label}; retry in ${next.at - now} ms`);
      event.retryAt = next.at;
      const index = this.#retrying.findIndex((other) => this.#wakeAt(other) > this.#wakeAt(event));
      this.#retrying.splice(index < 0 ? this.#retrying.length : index, 0, event);
    }
  }

  #finish(event: QueuedEvent, count: () => void): void {
    this.#bytes -= event.request.payload.length;
    count();
  }

  #deadLetter(event: QueuedEvent, reason: DeadLetterReason): void {
    this.#finish(event, () => this.#stats.deadLettered[reason]++);
    if (reason === "stack-stopped") this.#stopped++;
    const last = event.attempts.at(-1);
    const { request } = event;
    const record: DeadLetterRecord = {
      reason,
      functionName: this.functionName,
      requestId: event.requestId,
      ...(last === undefined ? {} : { errorType: last.errorType, errorMessage: last.errorMessage }),
      attempts: event.attempts,
      acceptedAt: new Date(event.acceptedAt).toISOString(),
      deadLetteredAt: new Date(this.#clock()).toISOString(),
      ...(event.replayOf === undefined ? {} : { replayOf: event.replayOf }),
      ...(request.clientContext === undefined ? {} : { clientContext: request.clientContext }),
      ...(request.traceId === undefined ? {} : { traceId: request.traceId }),
      ...(request.tenantId === undefined ? {} : { tenantId: request.tenantId }),
      payload: recordedPayload(request.payload),
    };
    try {
      this.#deadLetters.append(record);
      this.#log(
        `[invoke] ${this.functionName} Event ${event.requestId} dead-lettered (${reason}) to ${this.deadLetterFile}`,
      );
    } catch (error) {
      // The record could not be written: put the whole of it in the log rather than lose it.
      this.#log(
        `[invoke] ${this.functionName} Event ${event.requestId} dead-lettered (${reason}), but ` +
          `${this.deadLetterFile} could not be written (${(error as Error).message}); the record: ${JSON.stringify(record)}`,
      );
    }
  }

  #notifyIfIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
