/**
 * The events an Event queue holds, and the ones that wait: ready to run (oldest first) or between retries (soonest
 * first), with the one timer that wakes the queue when the next of them needs attention.
 */
import type { InvokeRequest } from "../../contract.js";
import type { FailedAttempt } from "./dead-letters.js";

export interface QueuedEvent {
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

/** setTimeout and clearTimeout, injected so that tests drive the queue without waiting. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class WaitingEvents {
  /** Events ready to run, oldest first. */
  #ready: QueuedEvent[] = [];
  /** Events waiting to be retried, soonest first. */
  #retrying: QueuedEvent[] = [];
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #maxAgeMs: number;
  readonly #timers: Timers;
  readonly #wake: () => void;

  /** `wake` runs when the timer fires. */
  constructor(maxAgeMs: number, timers: Timers, wake: () => void) {
    this.#maxAgeMs = maxAgeMs;
    this.#timers = timers;
    this.#wake = wake;
  }

  get size(): number {
    return this.#ready.length + this.#retrying.length;
  }

  /** The oldest event ready to run. */
  get oldest(): QueuedEvent | undefined {
    return this.#ready[0];
  }

  /** A new event: ready, after the ones already waiting. */
  add(event: QueuedEvent): void {
    this.#ready.push(event);
  }

  /** Takes the oldest event ready to run. */
  take(): QueuedEvent | undefined {
    return this.#ready.shift();
  }

  /** An event whose delivery was throttled: first in line again. */
  putBack(event: QueuedEvent): void {
    this.#ready.unshift(event);
  }

  /** An event to retry at its `retryAt` (or to expire, if that comes first). */
  retry(event: QueuedEvent): void {
    const index = this.#retrying.findIndex((other) => this.#wakeAt(other) > this.#wakeAt(event));
    this.#retrying.splice(index < 0 ? this.#retrying.length : index, 0, event);
  }

  /** Retries that are due (or too old to wait for) move to the front of the ready queue, oldest first. */
  promoteDue(now: number): void {
    const due: QueuedEvent[] = [];
    while (this.#retrying.length > 0 && this.#wakeAt(this.#retrying[0] as QueuedEvent) <= now) {
      due.push(this.#retrying.shift() as QueuedEvent);
    }
    if (due.length > 0) this.#ready.unshift(...due.sort((a, b) => a.acceptedAt - b.acceptedAt));
  }

  /**
   * Sets the timer for the next thing due: a retry, an expiry, or `startsAt`, when the ready events may start (the
   * end of a throttle back-off; never while every delivery is busy).
   */
  arm(now: number, startsAt: number): void {
    let next = Number.POSITIVE_INFINITY;
    const first = this.#retrying[0];
    if (first !== undefined) next = this.#wakeAt(first);
    const oldest = this.#ready[0];
    if (oldest !== undefined) next = Math.min(next, oldest.acceptedAt + this.#maxAgeMs, startsAt);
    if (next === this.#timerAt) return;
    this.#clearTimer();
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timerAt = next;
    this.#timer = this.#timers.set(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#wake();
      },
      Math.max(0, next - now),
    );
  }

  /** Stops the timer and takes every waiting event, those between retries first. */
  drain(): QueuedEvent[] {
    this.#clearTimer();
    const waiting = [...this.#retrying, ...this.#ready];
    this.#retrying = [];
    this.#ready = [];
    return waiting;
  }

  /** When a retrying event next needs attention: its retry, or its expiry if that comes first. */
  #wakeAt(event: QueuedEvent): number {
    return Math.min(event.retryAt, event.acceptedAt + this.#maxAgeMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}
