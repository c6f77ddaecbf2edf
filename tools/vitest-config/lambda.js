import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { vi } from "vitest";

const callbacksUnsupported = () => {
  throw new Error("done/fail/succeed are not available to async handlers");
};

/**
 * The Context object the Node.js runtime passes to a handler, for a function of this name, memory size and
 * timeout. Each call is a new invocation: a new request id and a deadline counted from now.
 *
 * @param {{ functionName: string, memoryLimitInMB?: number, timeoutSeconds?: number, region?: string }} options
 * @returns {import("aws-lambda").Context}
 */
export function lambdaContext({
  functionName,
  memoryLimitInMB = 256,
  timeoutSeconds = 10,
  region = "eu-west-1",
}) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryLimitInMB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: callbacksUnsupported,
    fail: callbacksUnsupported,
    succeed: callbacksUnsupported,
  };
}

/**
 * Reads checked-in event fixtures from the `events/` folder next to a test's `src/`:
 * `const loadEvent = eventLoader(import.meta.url); loadEvent("hello.json")`.
 *
 * @param {string} testFileUrl the test module's import.meta.url
 */
export function eventLoader(testFileUrl) {
  return (file) => JSON.parse(readFileSync(new URL(`../events/${file}`, testFileUrl), "utf8"));
}

/**
 * The "environment" of the function's own config (the "lambda" block of the package.json next to a test's `src/`),
 * which Lambda and the local stack set for it: `vi.stubEnv` each one to test the handler as it runs.
 *
 * @param {string} testFileUrl the test module's import.meta.url
 * @returns {Record<string, string>}
 */
export function functionEnvironment(testFileUrl) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", testFileUrl), "utf8"));
  return { ...(pkg.lambda?.environment ?? {}) };
}

/**
 * Sets the level a Powertools Logger starts with, through LOG_LEVEL as the shared setup does. The two variables
 * Powertools reads first are emptied, so a developer's own environment cannot override the test. Undo with
 * `vi.unstubAllEnvs()`.
 *
 * @param {"SILENT" | "CRITICAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE"} level
 */
export function stubLogLevel(level) {
  vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "");
  vi.stubEnv("LOG_LEVEL", level);
}
