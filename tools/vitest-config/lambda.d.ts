import type { Context } from "aws-lambda";

export interface LambdaContextOptions {
  readonly functionName: string;
  /** Default 256. */
  readonly memoryLimitInMB?: number;
  /** Default 10; the context's getRemainingTimeInMillis counts down from it. */
  readonly timeoutSeconds?: number;
  /** Default eu-west-1, as the shared setup's AWS_REGION. */
  readonly region?: string;
}

/** The Context object the Node.js runtime passes to a handler; each call is a new invocation. */
export declare function lambdaContext(options: LambdaContextOptions): Context;

/** Reads checked-in event fixtures from the `events/` folder next to a test's `src/`. */
export declare function eventLoader(testFileUrl: string): <Event = unknown>(file: string) => Event;
/** The "environment" of the function's own config (the "lambda" block of the package.json next to `src/`). */
export declare function functionEnvironment(testFileUrl: string): Record<string, string>;

/**
 * Sets the level a Powertools Logger starts with, through LOG_LEVEL, emptying the variables Powertools reads first.
 * Undo with `vi.unstubAllEnvs()`.
 */
export declare function stubLogLevel(
  level: "SILENT" | "CRITICAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE",
): void;
