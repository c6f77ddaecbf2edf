/** How an Event queue is set up: the stack's settings for every queue, and the limits one queue runs by. */
import type { FunctionHost } from "../../contract.js";
import { DEFAULT_MAX_INSTANCES } from "../../engine/host.js";
import type { DeadLetterSink } from "./dead-letters.js";
import { DEFAULT_RETRY_DELAY_MS, maxEventAgeMs } from "./event-retries.js";
import type { Timers } from "./queued-events.js";

/** Events a function's queue holds (waiting, running or between retries) before Event invokes get 429. */
const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
/** Payload bytes a function's queue holds before Event invokes get 429 (memory, not a Lambda quota). */
const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024 * 1024;

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

export interface EventQueueOptions extends Omit<EventQueueSettings, "deadLetterDir"> {
  readonly host: FunctionHost;
  readonly deadLetters: DeadLetterSink;
}

/** The numbers one queue runs by. */
export interface QueueLimits {
  readonly retryDelayMs: number;
  readonly maxEventAgeMs: number;
  readonly concurrency: number;
  readonly maxQueuedEvents: number;
  readonly maxQueuedBytes: number;
}

/** The queue's limits: the options given, else the defaults; throws for one that is not a whole number in range. */
export function queueLimits(options: EventQueueOptions): QueueLimits {
  const limits: QueueLimits = {
    retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    maxEventAgeMs: options.maxEventAgeMs ?? maxEventAgeMs(options.host.definition.async),
    concurrency: options.concurrency ?? DEFAULT_MAX_INSTANCES,
    maxQueuedEvents: options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS,
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
  };
  for (const [name, value] of Object.entries(limits)) {
    const least = name === "retryDelayMs" ? 0 : 1;
    if (!Number.isInteger(value) || value < least) {
      throw new Error(`The Event queue's ${name} must be a whole number of at least ${least}, not ${value}.`);
    }
  }
  return limits;
}
