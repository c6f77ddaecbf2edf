import { z } from "zod";
import { DEFAULT_RUNTIME, RUNTIMES } from "./runtimes.js";

/** The three ways this project packages a function as a container image. */
export const STRATEGIES = ["aws-base", "os-only", "non-aws"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const ARCHITECTURES = ["x86_64", "arm64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const functionName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,47}$/,
    "must start with a lower-case letter and use only a-z, 0-9 and '-' (at most 48 characters), because it names the ECR repository and the image",
  );

/** "GET /hello", "POST /orders/{id}", "ANY /files/{proxy+}": an HTTP API route key. */
const routeKey = z
  .string()
  .regex(
    new RegExp(`^(${HTTP_METHODS.join("|")}) (/|(/[A-Za-z0-9._~-]+|/\\{[A-Za-z0-9_]+\\+?\\})+)$`),
    'must look like "GET /hello" or "POST /orders/{id}": a method, one space, then a path starting with "/"',
  );

/** Environment variables Lambda reserves; a function may not set them. */
export const RESERVED_ENV: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

/** The retention periods (days) CloudWatch Logs accepts for a log group. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const buildOptionsSchema = z.strictObject({
  /** Packages left out of the bundle (they must then be present in the image). */
  external: z.array(z.string().min(1)).default([]),
  minify: z.boolean().default(true),
  sourcemap: z.boolean().default(true),
});

/** Function URL invoke modes: a buffered reply (up to 6 MB), or a streamed one (awslambda.streamifyResponse). */
export const FUNCTION_URL_INVOKE_MODES = ["BUFFERED", "RESPONSE_STREAM"] as const;
export type FunctionUrlInvokeMode = (typeof FUNCTION_URL_INVOKE_MODES)[number];

/** Who may call a Function URL: anyone, or only callers that sign with IAM credentials (SigV4). */
export const FUNCTION_URL_AUTH_TYPES = ["NONE", "AWS_IAM"] as const;
export type FunctionUrlAuthType = (typeof FUNCTION_URL_AUTH_TYPES)[number];

/**
 * An SQS queue that triggers the function (an event source mapping), with a dead-letter queue that takes a
 * message after it has been received maxReceiveCount times without being deleted.
 */
export const sqsTriggerSchema = z.strictObject({
  /** Records per invoke. Above 10 needs a batching window (Lambda's own rule). */
  batchSize: z.number().int().min(1).max(10000).default(10),
  /** Seconds Lambda may wait to fill a batch. */
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: z.number().int().min(1).max(1000).default(3),
});

/** A Lambda Function URL in front of the function. */
export const functionUrlSchema = z.strictObject({
  invokeMode: z.enum(FUNCTION_URL_INVOKE_MODES).default("BUFFERED"),
  authType: z.enum(FUNCTION_URL_AUTH_TYPES).default("AWS_IAM"),
});

/** Lambda's range for retries of an asynchronous (Event) invocation after a function error. */
export const ASYNC_RETRY_ATTEMPTS = { min: 0, max: 2, default: 2 } as const;
/** Lambda's range for how long an asynchronous event may wait before it is discarded (seconds: 1 min to 6 h). */
export const ASYNC_EVENT_AGE_SECONDS = { min: 60, max: 21600, default: 21600 } as const;

function wholeNumberIn(range: { readonly min: number; readonly max: number }, unit: string) {
  const message = `must be a whole number${unit} from ${range.min} to ${range.max}`;
  return z.number({ error: message }).int(message).min(range.min, message).max(range.max, message);
}

/**
 * How Lambda handles the function's asynchronous (Event) invocations: the function's event invoke config. The
 * local stack follows it too (tools/local-stack: the async event queue and its dead-letter record).
 */
export const asyncInvokeSchema = z.strictObject({
  /** Retries after a function error (handler error, timeout, crash): 0-2. */
  maximumRetryAttempts: wholeNumberIn(ASYNC_RETRY_ATTEMPTS, "").default(ASYNC_RETRY_ATTEMPTS.default),
  /** How long an event may wait in the queue (including between retries) before it is discarded. */
  maximumEventAgeSeconds: wholeNumberIn(ASYNC_EVENT_AGE_SECONDS, " of seconds").default(
    ASYNC_EVENT_AGE_SECONDS.default,
  ),
});

/**
 * The "lambda" block of a function's package.json. Every default lives here and nowhere else.
 */
export const functionConfigSchema = z.strictObject({
  /** Defaults to the function's folder name. */
  name: functionName.optional(),
  description: z.string().max(256).optional(),
  /** Source entry, relative to the function folder. */
  entry: z.string().min(1).default("src/index.ts"),
  /** The name the entry exports the handler under. The image's handler is `index.<handler>`. */
  handler: z
    .string()
    .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, "must be a JavaScript export name such as handler")
    .default("handler"),
  /** The Lambda runtime: the Node.js major the function runs on in Lambda, locally and in every image. */
  runtime: z.enum(RUNTIMES).default(DEFAULT_RUNTIME),
  /** Which of the three images is deployed; all three are built. */
  strategy: z.enum(STRATEGIES).default("aws-base"),
  memorySize: z.number().int().min(128).max(10240).default(256),
  /** Seconds. */
  timeout: z.number().int().min(1).max(900).default(10),
  architecture: z.enum(ARCHITECTURES).default("x86_64"),
  /** HTTP API routes (payload format 2.0) that invoke this function. */
  routes: z.array(routeKey).default([]),
  /** An SQS queue (+ dead-letter queue) that invokes this function with batches; not together with routes. */
  sqs: sqsTriggerSchema.optional(),
  /** A Function URL in front of this function; may sit beside routes. */
  functionUrl: functionUrlSchema.optional(),
  /** Retries and maximum event age of asynchronous (Event) invocations. */
  async: asyncInvokeSchema.default({
    maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS.default,
    maximumEventAgeSeconds: ASYNC_EVENT_AGE_SECONDS.default,
  }),
  environment: z
    .record(z.string(), z.string())
    .superRefine((environment, ctx) => {
      for (const name of Object.keys(environment)) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: "must be a letter followed by letters, digits or '_'",
          });
        } else if (RESERVED_ENV.has(name)) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: "is set by Lambda itself and cannot be configured",
          });
        }
      }
    })
    .default({}),
  /** Log retention in days for the function's log group. */
  logRetentionDays: z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be a period CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(14),
  build: buildOptionsSchema.default({ external: [], minify: true, sourcemap: true }),
});

export type FunctionConfigInput = z.input<typeof functionConfigSchema>;
export type FunctionConfigBlock = z.output<typeof functionConfigSchema>;
export type BuildOptions = z.output<typeof buildOptionsSchema>;
export type SqsTrigger = z.output<typeof sqsTriggerSchema>;
export type FunctionUrlConfig = z.output<typeof functionUrlSchema>;
export type AsyncInvokeConfig = z.output<typeof asyncInvokeSchema>;
