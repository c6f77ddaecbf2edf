/**
 * What of an answer must match between two ways of running the same function, a function's events, and whether a
 * strategy applies to it (its README says so).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FunctionDefinition, Strategy } from "@lambda-images/function-config";
import type { InvokeOutcome } from "@lambda-images/local-stack";

/** What must be the same whichever way a function ran: the bytes, or for a failure its type and message. */
export type Comparable =
  | { readonly ok: string }
  | { readonly failed: string | undefined; readonly errorType: unknown; readonly errorMessage: unknown };

export function comparable(payload: Buffer, functionError: string | undefined): Comparable {
  if (functionError === undefined) return { ok: payload.toString("utf8") };
  // The stack trace names files, which differ between the host and an image: compare type and message only.
  const error = JSON.parse(payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
  return { failed: functionError, errorType: error.errorType, errorMessage: error.errorMessage };
}

export function comparableOutcome(outcome: InvokeOutcome): Comparable {
  if (outcome.kind !== "response") throw new Error(`the invoke was throttled: ${outcome.message}`);
  return comparable(outcome.payload, outcome.functionError);
}

/** Every event of a function, by file name (sorted). */
export function functionEvents(fn: FunctionDefinition): [string, Buffer][] {
  const folder = join(fn.dir, "events");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, readFileSync(join(folder, name))]);
}

/**
 * Whether the function's README says `strategy` does not apply to it (a line naming the strategy, in backticks
 * or not, with "does not apply" or "not applicable"): the one reason to leave a strategy out of the suite.
 */
export function strategyDoesNotApply(fn: FunctionDefinition, strategy: Strategy): boolean {
  const readme = join(fn.dir, "README.md");
  if (!existsSync(readme)) return false;
  return readFileSync(readme, "utf8")
    .split("\n")
    .some((line) => line.includes(strategy) && /does not apply|not applicable/i.test(line));
}
