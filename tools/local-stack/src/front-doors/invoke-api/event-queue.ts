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
 * The decisions (retry delays, expiry) are pure functions of an injected clock (./event-retries.ts); the timers are
 * injected too (./queued-events.ts), so the unit tests drive the queue without waiting.
 */
import { randomUUID } from "node:crypto";
import type { AsyncInvokeConfig } from "@lambda-images/function-config";
import type { FunctionHost, InvokeOutcome, InvokeRequest } from "../../contract.js";
import {
  type DeadLetterReason,
  type DeadLetterSink,
  deadLetterRecord,
  writeDeadLetter,
} from "./dead-letters.js";
import { type EventQueueOptions, type QueueLimits, queueLimits } from "./event-queue-settings.js";
import { afterFailure, failureOf, isTooOld, throttleBackoff } from "./event-retries.js";
import { type QueuedEvent, realTimers, WaitingEvents } from "./queued-events.js";

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

/** The Event queue of one function. */
export class EventQueue {
  readonly functionName: string;
  readonly #host: FunctionHost;
  readonly #deadLetters: DeadLetterSink;
  readonly #settings: AsyncInvokeConfig;
  readonly #limits: QueueLimits;
  readonly #clock: () => number;
  readonly #log: (line: string) => void;
  /** Events ready to run or between retries. */
  readonly #waiting: WaitingEvents;
  /** Events being run right now. */
  readonly #inFlight = new Set<QueuedEvent>();
  #bytes = 0;
  #throttledUntil = 0;
  #throttlesInARow = 0;
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
    this.#limits = queueLimits(options);
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? ((line) => console.log(line));
    this.#waiting = new WaitingEvents(this.#limits.maxEventAgeMs, options.timers ?? realTimers, () =>
      this.#pump(),
    );
  }

  /** The dead-letter file of this function. */
  get deadLetterFile(): string {
    return this.#deadLetters.fileOf(this.functionName);
  }

  /** Events not finished yet: waiting, running, or between retries. */
  get pending(): number {
    return this.#waiting.size + this.#inFlight.size;
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
    if (this.pending >= this.#limits.maxQueuedEvents || this.#bytes + bytes > this.#limits.maxQueuedBytes) {
      return {
        accepted: false,
        message:
          `Rate Exceeded: ${this.pending} Event invocations of ${this.functionName} (${this.#bytes} bytes) are ` +
          `already queued; the local queue holds at most ${this.#limits.maxQueuedEvents} events and ${this.#limits.maxQueuedBytes} bytes ` +
          "per function. Try again once some have run.",
      };
    }
    const requestId = randomUUID();
    this.#bytes += bytes;
    this.#stats.accepted++;
    this.#waiting.add({
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
      for (const event of this.#waiting.drain()) this.#deadLetter(event, "stack-stopped");
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
    const waiting = this.#waiting;
    waiting.promoteDue(now);
    while (
      waiting.oldest !== undefined &&
      this.#inFlight.size < this.#limits.concurrency &&
      now >= this.#throttledUntil
    ) {
      const event = waiting.take() as QueuedEvent;
      if (isTooOld(event.acceptedAt, now, this.#limits.maxEventAgeMs)) {
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
      waiting.oldest !== undefined &&
      isTooOld(waiting.oldest.acceptedAt, now, this.#limits.maxEventAgeMs)
    ) {
      this.#deadLetter(waiting.take() as QueuedEvent, "event-too-old");
    }
    const free = this.#inFlight.size < this.#limits.concurrency;
    waiting.arm(now, free ? this.#throttledUntil : Number.POSITIVE_INFINITY);
    this.#notifyIfIdle();
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
        this.#waiting.putBack(event);
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
    const next = afterFailure(attempts, now, this.#settings.maximumRetryAttempts, this.#limits.retryDelayMs);
    const label = `[invoke] ${this.functionName} Event ${event.requestId} attempt ${attempts} of ${this.#settings.maximumRetryAttempts + 1} failed: ${failure.errorType}`;
    if (next.kind === "dead-letter") {
      this.#log(label);
      this.#deadLetter(event, next.reason);
    } else if (this.#closing) {
      this.#log(label);
      this.#deadLetter(event, "stack-stopped");
    } else if (isTooOld(event.acceptedAt, now, this.#limits.maxEventAgeMs)) {
      this.#log(label);
      this.#deadLetter(event, "event-too-old");
    } else {
      this.#log(`${label}; retry in ${next.at - now} ms`);
      event.retryAt = next.at;
      this.#waiting.retry(event);
    }
  }

  #finish(event: QueuedEvent, count: () => void): void {
    this.#bytes -= event.request.payload.length;
    count();
  }

  #deadLetter(event: QueuedEvent, reason: DeadLetterReason): void {
    this.#finish(event, () => this.#stats.deadLettered[reason]++);
    if (reason === "stack-stopped") this.#stopped++;
    writeDeadLetter(
      this.#deadLetters,
      deadLetterRecord(this.functionName, event, reason, this.#clock()),
      this.#log,
    );
  }

  #notifyIfIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
