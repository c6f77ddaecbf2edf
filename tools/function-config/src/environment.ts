/**
 * The environment Lambda gives a function, built in one place for everything that runs one: the local stack's
 * instances, the image tests and benchmarks, and the build's import check. Lambda's order: a few unreserved
 * defaults, then the function's configured variables, then the reserved ones (which the config schema already keeps
 * the function from setting).
 */
import { randomBytes } from "node:crypto";
import type { FunctionDefinition } from "./load.js";

export const DEFAULT_REGION = "us-east-1";

/** Where the bundle is inside an image: LAMBDA_TASK_ROOT of every Lambda base. */
export const IMAGE_TASK_ROOT = "/var/task";

/** The region functions run in locally: the option, else the host's AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export function resolveRegion(option?: string, hostEnv: NodeJS.ProcessEnv = process.env): string {
  return option || hostEnv.AWS_REGION || hostEnv.AWS_DEFAULT_REGION || DEFAULT_REGION;
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** `2026/11/30/[$LATEST]<32 hex>`: one log stream per instance, named after the day it started (UTC). */
export function newLogStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

export interface LambdaEnvironmentOptions {
  /** Default: resolveRegion() of the host's environment. */
  readonly region?: string;
  /** The instance's log stream; default a new one. */
  readonly logStreamName?: string;
  /** LAMBDA_TASK_ROOT: the function's dist/ on this machine (default), IMAGE_TASK_ROOT in an image. */
  readonly taskRoot?: string;
}

/**
 * The variables Lambda sets for `fn` (what the Runtime Interface Client 4.x requires among them), with the function's
 * own environment. Per-instance plumbing (AWS_LAMBDA_RUNTIME_API, LAMBDA_RUNTIME_DIR) and credentials are the
 * runner's to add.
 */
export function lambdaEnvironment(
  fn: FunctionDefinition,
  options: LambdaEnvironmentOptions = {},
): Record<string, string> {
  const region = options.region ?? resolveRegion();
  return {
    LANG: "en_US.UTF-8",
    TZ: "UTC",
    ...fn.environment,
    _HANDLER: fn.lambdaHandler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(fn.name),
    AWS_LAMBDA_LOG_STREAM_NAME: options.logStreamName ?? newLogStreamName(),
    LAMBDA_TASK_ROOT: options.taskRoot ?? fn.distDir,
  };
}
