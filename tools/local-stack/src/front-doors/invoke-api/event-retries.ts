/**
 * When the Event queue tries an event again, and when it gives up: the retry delays, the maximum event age, the
 * back-off after a throttled delivery, and what counts as a failed attempt. Pure functions of the times they are
 * given.
 */
import type { AsyncInvokeConfig } from "@lambda-images/function-config";
import type { InvokeOutcome } from "../../contract.js";
import type { DeadLetterReason } from "./dead-letters.js";

/** The wait before the first retry; the second waits twice as long. Lambda's are about 1 and 2 minutes. */
export const DEFAULT_RETRY_DELAY_MS = 1000;
/** Sets the retry delay (ms) for `lambda-local dev` and `invoke --replay-dead-letters`. */
export const RETRY_DELAY_ENV = "LAMBDA_LOCAL_ASYNC_RETRY_DELAY_MS";
/** After a throttled delivery, wait this long before the next try (doubling up to the maximum). */
const THROTTLE_BACKOFF_MS = { first: 10, max: 1000 } as const;

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
